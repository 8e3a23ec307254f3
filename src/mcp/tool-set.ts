/** The tools that only read: every caller that may use MCP sees these by default. */
export const READ_TOOLS = ['list_environments', 'list_dags', 'describe_dag', 'get_run_status', 'read_task_logs', 'list_my_requests'] as const

/** The tools that change something (each still decided by policy, approvals and budgets): only for agents that list them. */
export const WRITE_TOOLS = ['trigger_dag', 'rerun_failed_tasks', 'request_approval'] as const

/** Every tool of Conductor's MCP server, by name. */
export type ToolName = (typeof READ_TOOLS)[number] | (typeof WRITE_TOOLS)[number]

/** Every tool name: the read tools, then the write tools. */
export const TOOL_NAMES: readonly ToolName[] = [...READ_TOOLS, ...WRITE_TOOLS]

/** Whether `name` is one of Conductor's tools. */
export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name)
}

/** Whether a tool changes something. */
export function isWriteTool(name: ToolName): boolean {
  return (WRITE_TOOLS as readonly string[]).includes(name)
}

/** The caller as `GET /api/v1/me` describes it, as far as the tool set depends on it. */
export interface ToolCaller {
  type: string
  /** Present for Agent principals: the tools the agent's service account lists. */
  agent?: { tools: string[] } | null
}

/**
 * The tools `caller` sees and may call, in {@link TOOL_NAMES} order:
 * - an Agent: exactly the tools its account lists (unknown names ignored), the read tools when it lists none;
 * - anyone else (a person, a plain service account): the read tools;
 * - then narrowed to `narrowTo` when given (`conductor mcp --tools`): it can only take tools away.
 * Policy still decides every call a tool makes.
 */
export function toolSetFor(caller: ToolCaller, narrowTo?: readonly string[] | null): ToolName[] {
  const listed = caller.type === 'Agent' ? (caller.agent?.tools ?? []).filter(isToolName) : []
  const base = new Set<ToolName>(caller.type === 'Agent' && listed.length > 0 ? listed : READ_TOOLS)
  return TOOL_NAMES.filter((name) => base.has(name) && (narrowTo == null || narrowTo.includes(name)))
}
