import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { AuditLog } from '../../audit/index.ts'
import { isConductorError } from '../../core/index.ts'
import {
  GROUP_MODEL, MAX_RESULTS, RESOURCE_TYPES, SCHEMAS, SCIM_URN, USER_MODEL, parseAttrPath, project, scimInvalid, serviceProviderConfig,
  type ResourceModel, type ScimChange, type ScimListQuery, type ScimService, type ScimTokenStore,
} from '../../identity/index.ts'
import { STATUS_BY_CODE } from '../error-handler.ts'

/** What the SCIM routes need. */
export interface ScimRoutesDeps {
  scim: ScimService
  tokens: Pick<ScimTokenStore, 'verify'>
  audit: Pick<AuditLog, 'append'>
  /** The largest request body accepted (default 1 MiB); larger ones get 413. Published as bulk.maxPayloadSize. */
  bodyLimitBytes?: number
  /** The public base URL of the SCIM API (e.g. `https://conductor.example.com/scim/v2`) for `meta.location`; default from the request. */
  baseUrl?: string
}

const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8'
/** The members of a SearchRequest (RFC 7644 §3.4.3), lowercase. */
const SEARCH_MEMBERS = ['schemas', 'attributes', 'excludedattributes', 'filter', 'sortby', 'sortorder', 'startindex', 'count']
const DEFAULT_BODY_LIMIT = 1024 * 1024

/** Where a request touched, for its audit event. */
interface RequestFacts {
  client?: { id: string; label: string }
  resourceType?: 'User' | 'Group'
  ids?: string[]
  change?: ScimChange
  filter?: string
  scimType?: string
  results?: number
  reason?: string
}

/** A refusal of the SCIM layer itself (no or unknown token, no such schema or method); its status comes from the error registry. */
class ScimHttpError extends Error {
  readonly code: keyof typeof STATUS_BY_CODE
  /** For `method_not_allowed`: the `Allow` header. */
  readonly allow: string | undefined
  constructor(code: keyof typeof STATUS_BY_CODE, message: string, allow?: string) {
    super(message)
    this.code = code
    this.allow = allow
  }
}

/** The methods an endpoint may lack; HEAD comes with GET. */
const METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'] as const

/**
 * The SCIM 2.0 service provider (RFC 7644) as a Fastify plugin, to register under `/scim/v2`: /Users, /Groups,
 * /ServiceProviderConfig, /ResourceTypes, /Schemas. Every request needs `Authorization: Bearer <SCIM token>`;
 * every request (refused ones too) is audited as `scim.request` without the token. Errors use SCIM's error body.
 */
export function scimRoutes(deps: ScimRoutesDeps): FastifyPluginAsync {
  const bodyLimit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT
  return async (app) => {
    const facts = new WeakMap<FastifyRequest, RequestFacts>()
    const factsOf = (request: FastifyRequest) => {
      let f = facts.get(request)
      if (!f) facts.set(request, (f = {}))
      return f
    }
    const base = (request: FastifyRequest) => (deps.baseUrl ?? `${request.protocol}://${request.host}${app.prefix}`).replace(/\/$/, '')

    app.removeAllContentTypeParsers()
    app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string', bodyLimit }, (_request, body, done) => {
      const text = String(body)
      if (text.trim() === '') return done(null, undefined)
      try {
        done(null, JSON.parse(text))
      } catch (error) {
        done(scimInvalid('invalidSyntax', `the request body is not valid JSON: ${(error as Error).message}`) as unknown as FastifyError, undefined)
      }
    })

    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
      if (!match) {
        factsOf(request).reason = header ? 'malformed_authorization' : 'missing_token'
        throw new ScimHttpError('token_missing', 'SCIM requests need Authorization: Bearer <SCIM token>')
      }
      const client = await deps.tokens.verify(match[1]!)
      if (!client) {
        factsOf(request).reason = 'unknown_or_revoked_token'
        throw new ScimHttpError('token_unknown', 'the SCIM token is not valid (unknown, rotated or revoked)')
      }
      factsOf(request).client = client
    })

    app.addHook('onSend', async (request, reply, payload) => {
      reply.header('cache-control', 'no-store')
      const f = factsOf(request)
      try {
        await deps.audit.append({
          type: 'scim.request',
          principal: f.client ? `scim:${f.client.label}` : null,
          principalType: f.client ? 'ScimClient' : null,
          action: `scim:${request.method.toLowerCase()}`,
          requestId: null,
          data: {
            method: request.method, path: request.url.split('?')[0], status: reply.statusCode, httpRequestId: String(request.id),
            ...(f.client ? { client: f.client.id } : {}),
            ...(f.resourceType ? { resourceType: f.resourceType } : {}),
            ...(f.ids?.length ? { resourceIds: f.ids } : {}),
            ...(f.change ? { change: f.change } : {}),
            ...(f.filter !== undefined ? { filter: f.filter.slice(0, 500) } : {}),
            ...(f.results !== undefined ? { results: f.results } : {}),
            ...(f.scimType ? { scimType: f.scimType } : {}),
            ...(f.reason ? { reason: f.reason } : {}),
          },
        })
      } catch (error) {
        request.log.error({ err: error }, 'cannot audit a SCIM request')
      }
      return payload
    })

    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      let status = 500
      let scimType: string | null = null
      let detail = 'internal error; see the server log with this request id'
      if (error instanceof ScimHttpError) {
        status = STATUS_BY_CODE[error.code]
        detail = error.message
        if (error.allow !== undefined) reply.header('allow', error.allow)
      } else if (isConductorError(error)) {
        status = STATUS_BY_CODE[error.code]
        if (error.code === 'invalid_input') scimType = typeof error.details?.scimType === 'string' ? error.details.scimType : 'invalidValue'
        if (error.code === 'conflict') scimType = 'uniqueness'
        if (status < 500 || status === 503) detail = error.message
      } else if ('code' in error && typeof error.code === 'string' && error.code.startsWith('FST_')) {
        const code = error.code
        status = typeof (error as FastifyError).statusCode === 'number' ? (error as FastifyError).statusCode! : 400
        if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') { status = 413; detail = `the request body is larger than ${bodyLimit} bytes` }
        else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') { status = 415; detail = 'send application/scim+json (or application/json)' }
        else if (status < 500) { scimType = 'invalidSyntax'; detail = error.message }
      }
      if (status >= 500) request.log.error({ err: error }, 'SCIM request failed')
      if (status === 401) reply.header('www-authenticate', 'Bearer realm="conductor-scim"')
      if (scimType) factsOf(request).scimType = scimType
      return reply.code(status).header('content-type', SCIM_CONTENT_TYPE)
        .send(JSON.stringify({ schemas: [SCIM_URN.error], status: String(status), ...(scimType ? { scimType } : {}), detail }))
    })

    app.setNotFoundHandler((request, reply) => {
      return reply.code(404).header('content-type', SCIM_CONTENT_TYPE)
        .send(JSON.stringify({ schemas: [SCIM_URN.error], status: '404', detail: `no SCIM endpoint ${request.method} ${request.url.split('?')[0]}` }))
    })

    const send = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).header('content-type', SCIM_CONTENT_TYPE).send(JSON.stringify(body))

    /** Adds meta.location and the $refs that depend on the base URL. */
    const located = (request: FastifyRequest, resource: Record<string, unknown>) => {
      const root = base(request)
      const meta = resource.meta as Record<string, unknown> | undefined
      const type = meta?.resourceType === 'Group' ? 'Groups' : 'Users'
      if (meta) meta.location = `${root}/${type}/${String(resource.id)}`
      for (const [key, target] of [['members', 'Users'], ['groups', 'Groups']] as const) {
        const list = resource[key]
        if (Array.isArray(list)) for (const item of list as Record<string, unknown>[]) item.$ref = `${root}/${target}/${String(item.value)}`
      }
      return resource
    }

    const param = (query: unknown, name: string): string | undefined => {
      if (typeof query !== 'object' || query === null) return undefined
      const entry = Object.entries(query).find(([k]) => k.toLowerCase() === name.toLowerCase())
      const value = entry?.[1]
      if (Array.isArray(value)) throw scimInvalid('invalidValue', `"${name}" is given more than once`)
      return typeof value === 'string' ? value : undefined
    }

    const integer = (value: unknown, name: string): number | undefined => {
      if (value === undefined || value === null || value === '') return undefined
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value
      if (typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim())) return Number(value)
      throw scimInvalid('invalidValue', `"${name}" must be an integer`)
    }

    /** The attribute names of `attributes`/`excludedAttributes`: a comma-separated string or an array; null when not given. */
    const attributeNames = (value: unknown, name: string) => {
      if (value === undefined || value === null || value === '') return null
      const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null
      if (list === null || list.some((p) => typeof p !== 'string')) throw scimInvalid('invalidValue', `"${name}" must be a comma-separated list of attribute names`)
      return (list as string[]).map((p) => p.trim()).filter(Boolean)
    }

    const paths = (model: ResourceModel, value: unknown, name: string) => attributeNames(value, name)?.map((p) => parseAttrPath(p, model.urns, 'invalidValue')) ?? null

    /** The projection of a request and whether members (Group) or groups (User) are needed at all. */
    const projection = (model: ResourceModel, attributes: unknown, excluded: unknown) => {
      const p = { attributes: paths(model, attributes, 'attributes'), excludedAttributes: paths(model, excluded, 'excludedAttributes') }
      const key = model === GROUP_MODEL ? 'members' : 'groups'
      const names = (list: typeof p.attributes) => (list ?? []).filter((x) => x.schema === null || x.schema === model.core.id).map((x) => x.attr.toLowerCase())
      const omitMemberships = p.attributes !== null ? !names(p.attributes).includes(key) : names(p.excludedAttributes).includes(key)
      // Validate the names now, so a bad one is a 400 before any work.
      project(model, { schemas: [], id: '' }, p)
      return { p, omitMemberships }
    }

    /**
     * The projection of a request per resource type when it lists several: each type takes the attribute names it has
     * (`attributes=userName,displayName` shows Groups their displayName); a name no type has is refused.
     */
    const projections = (models: readonly ResourceModel[], attributes: unknown, excluded: unknown) => {
      if (models.length === 1) return [projection(models[0]!, attributes, excluded)]
      const fits = (model: ResourceModel, path: string, name: string) => {
        try {
          projection(model, name === 'attributes' ? [path] : null, name === 'attributes' ? null : [path])
          return true
        } catch (error) {
          if (isConductorError(error, 'invalid_input')) return false
          throw error
        }
      }
      const given = { attributes: attributeNames(attributes, 'attributes'), excludedAttributes: attributeNames(excluded, 'excludedAttributes') }
      for (const [name, list] of Object.entries(given)) {
        const unknown = list?.find((path) => !models.some((model) => fits(model, path, name)))
        if (unknown !== undefined) throw scimInvalid('invalidValue', `no resource type has the attribute "${unknown}" (${name})`)
      }
      const only = (model: ResourceModel, list: string[] | null, name: string) => (list === null ? null : list.filter((path) => fits(model, path, name)))
      return models.map((model) => projection(model, only(model, given.attributes, 'attributes'), only(model, given.excludedAttributes, 'excludedAttributes')))
    }

    const etag = (reply: FastifyReply, version: number) => reply.header('etag', `W/"${version}"`)
    const ifMatch = (request: FastifyRequest) => {
      const value = request.headers['if-match']
      return typeof value === 'string' ? value : undefined
    }

    /** A parameter of a list request by name (case-insensitive): from the query string of a GET, or a SearchRequest body. */
    type ListParams = (name: string) => unknown

    /**
     * The parameters of a SearchRequest body (RFC 7644 §3.4.3): an object whose `schemas` names the SearchRequest and
     * whose other members are list parameters; anything else is invalidSyntax.
     */
    const searchParams = (body: unknown): ListParams => {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw scimInvalid('invalidSyntax', 'the request body must be a SearchRequest object')
      const entries = Object.entries(body)
      const schemas = entries.find(([k]) => k.toLowerCase() === 'schemas')?.[1]
      if (!Array.isArray(schemas) || !schemas.some((urn) => typeof urn === 'string' && urn.toLowerCase() === SCIM_URN.searchRequest.toLowerCase())) {
        throw scimInvalid('invalidSyntax', `"schemas" must be an array containing ${SCIM_URN.searchRequest}`)
      }
      const unknown = entries.find(([k]) => !SEARCH_MEMBERS.includes(k.toLowerCase()))
      if (unknown) throw scimInvalid('invalidSyntax', `a SearchRequest has no attribute "${unknown[0]}"`)
      return (name) => entries.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]
    }

    /**
     * Answers a list request for one resource type, or several as one list (a search at the root): the same checks of
     * the parameters whether they came in the query string or a SearchRequest, then a ListResponse.
     */
    async function list(request: FastifyRequest, reply: FastifyReply, models: readonly ResourceModel[], get: ListParams) {
      const projected = projections(models, get('attributes'), get('excludedAttributes'))
      const filter = get('filter')
      if (filter !== undefined && typeof filter !== 'string') throw scimInvalid('invalidFilter', '"filter" must be a string')
      const sortBy = get('sortBy')
      if (sortBy !== undefined && typeof sortBy !== 'string') throw scimInvalid('invalidValue', '"sortBy" must be an attribute name')
      const sortOrder = get('sortOrder')
      if (sortOrder !== undefined && !(typeof sortOrder === 'string' && /^(ascending|descending)$/i.test(sortOrder))) throw scimInvalid('invalidValue', '"sortOrder" must be ascending or descending')
      const query: ScimListQuery = {}
      if (filter !== undefined && filter.trim() !== '') query.filter = filter
      const startIndex = integer(get('startIndex'), 'startIndex')
      const count = integer(get('count'), 'count')
      if (startIndex !== undefined) query.startIndex = startIndex
      if (count !== undefined) query.count = Math.min(count, MAX_RESULTS)
      if (sortBy !== undefined && sortBy !== '') query.sortBy = sortBy
      if (sortOrder !== undefined) query.sortOrder = sortOrder.toLowerCase() as 'ascending' | 'descending'
      const f = factsOf(request)
      if (models.length === 1) f.resourceType = models[0]!.resourceType
      if (query.filter !== undefined) f.filter = query.filter
      const omit = (model: ResourceModel) => projected[models.indexOf(model)]?.omitMemberships === true
      const result = models.length > 1
        ? await deps.scim.search({ ...query, omitMemberships: { User: omit(USER_MODEL), Group: omit(GROUP_MODEL) } })
        : models[0] === USER_MODEL ? await deps.scim.listUsers({ ...query, omitMemberships: omit(USER_MODEL) }) : await deps.scim.listGroups({ ...query, omitMemberships: omit(GROUP_MODEL) })
      f.results = result.totalResults
      const modelOf = (resource: Record<string, unknown>) => ((resource.meta as Record<string, unknown> | undefined)?.resourceType === 'Group' ? GROUP_MODEL : USER_MODEL)
      return send(reply, 200, {
        schemas: [SCIM_URN.listResponse], totalResults: result.totalResults, startIndex: result.startIndex, itemsPerPage: result.itemsPerPage,
        Resources: result.resources.map((r) => {
          const model = modelOf(r)
          return project(model, located(request, r), projected[models.indexOf(model)]!.p)
        }),
      })
    }

    app.post('/.search', async (request, reply) => list(request, reply, [USER_MODEL, GROUP_MODEL], searchParams(request.body)))

    /**
     * Answers the other methods on `url` with 405 and `Allow` (RFC 9110 §15.5.6) in SCIM's error body, after the token
     * is checked and before a body is read, so a wrong method is named as such rather than as a missing endpoint. These
     * refusals stay out of the OpenAPI document.
     */
    const only = (url: string, allowed: readonly (typeof METHODS)[number][]) => {
      const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].sort().join(', ')
      app.route({
        method: METHODS.filter((m) => !allowed.includes(m)), url, schema: { hide: true },
        onRequest: async (request) => {
          throw new ScimHttpError('method_not_allowed', `${request.method} is not supported on ${request.url.split('?')[0]}; use ${allow}`, allow)
        },
        handler: async () => undefined,
      })
    }

    only('/.search', ['POST'])
    for (const url of ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/:id', '/Schemas', '/Schemas/:id']) only(url, ['GET'])
    for (const endpoint of ['/Users', '/Groups']) {
      only(endpoint, ['GET', 'POST'])
      only(`${endpoint}/.search`, ['POST'])
      only(`${endpoint}/:id`, ['DELETE', 'GET', 'PATCH', 'PUT'])
    }

    // ---------- discovery ----------

    const discoveryMeta = (request: FastifyRequest, resourceType: string, path: string) => ({ resourceType, location: `${base(request)}${path}` })

    app.get('/ServiceProviderConfig', async (request, reply) => send(reply, 200, {
      ...serviceProviderConfig(bodyLimit), meta: discoveryMeta(request, 'ServiceProviderConfig', '/ServiceProviderConfig'),
    }))

    const resourceTypeOf = (request: FastifyRequest, rt: (typeof RESOURCE_TYPES)[number]) => ({
      schemas: [SCIM_URN.resourceType], ...rt, schemaExtensions: [...rt.schemaExtensions], meta: discoveryMeta(request, 'ResourceType', `/ResourceTypes/${rt.id}`),
    })
    app.get('/ResourceTypes', async (request, reply) => send(reply, 200, {
      schemas: [SCIM_URN.listResponse], totalResults: RESOURCE_TYPES.length, startIndex: 1, itemsPerPage: RESOURCE_TYPES.length,
      Resources: RESOURCE_TYPES.map((rt) => resourceTypeOf(request, rt)),
    }))
    app.get<{ Params: { id: string } }>('/ResourceTypes/:id', async (request, reply) => {
      const rt = RESOURCE_TYPES.find((r) => r.id.toLowerCase() === request.params.id.toLowerCase())
      if (!rt) throw new ScimHttpError('not_found', `no resource type ${request.params.id}`)
      return send(reply, 200, resourceTypeOf(request, rt))
    })

    const schemaOf = (request: FastifyRequest, schema: (typeof SCHEMAS)[number]) => ({
      schemas: [SCIM_URN.schema], ...schema, meta: discoveryMeta(request, 'Schema', `/Schemas/${schema.id}`),
    })
    app.get('/Schemas', async (request, reply) => send(reply, 200, {
      schemas: [SCIM_URN.listResponse], totalResults: SCHEMAS.length, startIndex: 1, itemsPerPage: SCHEMAS.length,
      Resources: SCHEMAS.map((s) => schemaOf(request, s)),
    }))
    app.get<{ Params: { id: string } }>('/Schemas/:id', async (request, reply) => {
      const schema = SCHEMAS.find((s) => s.id.toLowerCase() === request.params.id.toLowerCase())
      if (!schema) throw new ScimHttpError('not_found', `no schema ${request.params.id}`)
      return send(reply, 200, schemaOf(request, schema))
    })

    // ---------- Users and Groups ----------

    for (const model of [USER_MODEL, GROUP_MODEL]) {
      const isUser = model === USER_MODEL
      const endpoint = isUser ? '/Users' : '/Groups'
      const note = (request: FastifyRequest, id?: string, change?: ScimChange) => {
        const f = factsOf(request)
        f.resourceType = model.resourceType
        if (id) f.ids = [id]
        if (change) f.change = change
      }

      app.get(endpoint, async (request, reply) => list(request, reply, [model], (name) => param(request.query, name)))
      app.post(`${endpoint}/.search`, async (request, reply) => list(request, reply, [model], searchParams(request.body)))

      app.post(endpoint, async (request, reply) => {
        const result = isUser ? await deps.scim.createUser(request.body) : await deps.scim.createGroup(request.body)
        note(request, result.id, result.change)
        const resource = located(request, result.resource)
        etag(reply, result.version)
        reply.header('location', String((resource.meta as Record<string, unknown>).location))
        return send(reply, 201, resource)
      })

      app.get<{ Params: { id: string } }>(`${endpoint}/:id`, async (request, reply) => {
        const q = request.query
        const { p, omitMemberships } = projection(model, param(q, 'attributes'), param(q, 'excludedAttributes'))
        note(request, request.params.id)
        const result = isUser ? await deps.scim.getUser(request.params.id) : await deps.scim.getGroup(request.params.id, { withMembers: !omitMemberships })
        etag(reply, result.version)
        const none = request.headers['if-none-match']
        if (typeof none === 'string' && none.split(',').map((t) => t.trim()).includes(`W/"${result.version}"`)) return reply.code(304).send()
        return send(reply, 200, project(model, located(request, result.resource), p))
      })

      app.put<{ Params: { id: string } }>(`${endpoint}/:id`, async (request, reply) => {
        note(request, request.params.id)
        const result = isUser
          ? await deps.scim.replaceUser(request.params.id, request.body, ifMatch(request))
          : await deps.scim.replaceGroup(request.params.id, request.body, ifMatch(request))
        note(request, result.id, result.change)
        etag(reply, result.version)
        const q = request.query
        return send(reply, 200, project(model, located(request, result.resource), projection(model, param(q, 'attributes'), param(q, 'excludedAttributes')).p))
      })

      app.patch<{ Params: { id: string } }>(`${endpoint}/:id`, async (request, reply) => {
        note(request, request.params.id)
        const q = request.query
        const { p, omitMemberships } = projection(model, param(q, 'attributes'), param(q, 'excludedAttributes'))
        const result = isUser
          ? await deps.scim.patchUser(request.params.id, request.body, ifMatch(request))
          : await deps.scim.patchGroup(request.params.id, request.body, ifMatch(request), { withMembers: !omitMemberships })
        note(request, result.id, result.change)
        etag(reply, result.version)
        return send(reply, 200, project(model, located(request, result.resource), p))
      })

      app.delete<{ Params: { id: string } }>(`${endpoint}/:id`, async (request, reply) => {
        note(request, request.params.id)
        const change = isUser ? await deps.scim.deleteUser(request.params.id, ifMatch(request)) : await deps.scim.deleteGroup(request.params.id, ifMatch(request))
        note(request, request.params.id, change)
        return reply.code(204).send()
      })
    }
  }
}
