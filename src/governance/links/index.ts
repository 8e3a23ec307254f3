export { createLinks, fillTemplate, LINKS_LEASE } from './links.ts'
export type { LinkEnd, LinkFiringView, LinkInput, LinkOwner, LinkPatch, LinkRound, Links, LinksDeps, LinkSuspendReason, LinkView } from './links.ts'
export { LINK_STATES } from './links.tables.ts'
export type { LinkFiringsTable, LinksTable, LinkState, LinkTables } from './links.tables.ts'
