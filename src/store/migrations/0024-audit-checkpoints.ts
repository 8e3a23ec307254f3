/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any>: frozen, they must not depend on today's table types */
import type { Kysely } from 'kysely'

/**
 * Signed audit checkpoints: the chain head (`seq`, `hash`) at `at`, signed with Ed25519 by the key `key_id` (the
 * RFC 7638 thumbprint of its public JWK). `signature` is base64url over the canonical JSON `{"at","hash","keyId","seq"}`.
 * Checkpoints outlive the events they cover: the one at the cut anchors the trail left after an archive and prune.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('audit_checkpoints')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute()
}

/** Drops the checkpoints. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_checkpoints').execute()
}
