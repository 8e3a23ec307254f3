/*
 * The Conductor REST API's types, generated from contract/openapi.json by openapi-typescript.
 * Do not edit: change the routes' schemas (src/api/responses.ts, src/api/schemas.ts) and run `npm run gen:api`.
 */

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        };
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: database and policy usable; each environment's circuit */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ready";
                            /** @description Each environment's circuit breaker. An open circuit does not make Conductor unready: it still serves the other environments and its own records. */
                            environments: {
                                environment: string;
                                /** @enum {string} */
                                state: "closed" | "open" | "half-open";
                                /** @description ISO 8601; null while closed. */
                                nextProbeAt: string | null;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "not ready";
                            reason: string;
                            /** @description Each environment's circuit breaker. An open circuit does not make Conductor unready: it still serves the other environments and its own records. */
                            environments: {
                                environment: string;
                                /** @enum {string} */
                                state: "closed" | "open" | "half-open";
                                /** @description ISO 8601; null while closed. */
                                nextProbeAt: string | null;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/airflow-jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The keys Airflow trusts for per-person tokens (`[api_auth] trusted_jwks_url`) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AirflowJwks"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/oauth-authorization-server": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** OAuth 2.0 authorization server metadata (RFC 8414): the token exchange endpoint */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuthorizationServerMetadata"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** RFC 8693 token exchange: a workload, AWS, person or Conductor credential for a short-lived Conductor token */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TokenExchangeRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TokenExchangeResponse"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OAuthError"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OAuthError"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OAuthError"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OAuthError"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OAuthError"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public sign-in facts for the CLI */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CliConfig"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Start browser sign-in (redirects to the identity provider) */
        get: {
            parameters: {
                query?: {
                    returnTo?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description To the identity provider */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Finish browser sign-in */
        get: {
            parameters: {
                query?: {
                    state?: string;
                    code?: string;
                    error?: string;
                    error_description?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Signed in: back to the console page that asked (`returnTo`), with the session cookie set */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in browser session, with its CSRF token */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the browser session (and at the identity provider) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LogoutResult"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/backchannel-logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** OpenID Connect Back-Channel Logout 1.0: the IdP ends a user's sessions */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        logout_token: string;
                    };
                };
            };
            responses: {
                /** @description The sessions are ended; no body */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OidcError"] | components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/.search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/ServiceProviderConfig": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/ResourceTypes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/ResourceTypes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Schemas": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Schemas/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Users/.search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        trace?: never;
    };
    "/scim/v2/Groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Groups/.search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        post?: never;
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        trace?: never;
    };
    "/api/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who you are, as Conductor sees you */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Environments you may read, with health */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EnvironmentList"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Define an environment (environment:create): the fields of an `environments[]` entry in config, credentials a secret reference; in force on every replica within seconds */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /**
                         * @default airflow3
                         * @enum {string}
                         */
                        kind?: "airflow3" | "airflow2";
                        /**
                         * Format: uri
                         * @description Airflow's base URL, e.g. http://airflow.internal:8080
                         */
                        url: string;
                        /**
                         * Format: uri
                         * @description Airflow's URL as people's browsers reach it, where sign-in through Conductor returns to (`<publicUrl>/auth/callback`); default `url`.
                         */
                        publicUrl?: string;
                        /**
                         * @description Compliance zone, e.g. `pci`, `eu`.
                         * @default default
                         */
                        zone?: string;
                        /** @default dev */
                        tier?: string;
                        team?: string;
                        /** @description The secret Conductor reaches this Airflow with, and its kind. The value never appears in config. */
                        credentials: {
                            /** @description The name of a provider in `secrets.providers`. */
                            provider: string;
                            /** @description The secret's name inside that provider. */
                            secret: string;
                            /**
                             * @description How the secret is used. `airflow-token` (default for airflow3): `{"username", "password"}` exchanged at Airflow 3's `POST /auth/token` for a JWT, refreshed before it expires. `basic` (default for airflow2): `{"username", "password"}` sent as HTTP basic auth. `bearer`: a static API token (e.g. an Astro deployment API token), the secret's whole value or JSON `{"token": …}`, re-read when Airflow refuses it. `conductor-identity` (Airflow 3 trusting Conductor's JWKS): governed actions are sent as the person with a Conductor-signed token (`identity.airflowTokens`); catalog sync and reads keep the service account, whose secret is this one, used as `serviceAccountKind` says.
                             * @enum {string}
                             */
                            kind?: "basic" | "airflow-token" | "bearer" | "conductor-identity";
                            /**
                             * @description With `conductor-identity`: how the service account's secret is used (default: `airflow-token`). `conductor-signed`: no Airflow password at all; Conductor signs its own short-lived tokens as `serviceAccount` (for an Airflow running the Conductor auth manager, which asks Conductor's policy about it like anyone else: the demo policy lets it read DAGs, runs and logs).
                             * @enum {string}
                             */
                            serviceAccountKind?: "basic" | "airflow-token" | "bearer" | "conductor-signed";
                            /** @description With `serviceAccountKind: conductor-signed`: Conductor's own name in Airflow (the tokens' `sub`, a `ServiceAccount` in group `conductor-service`; default `conductor`). */
                            serviceAccount?: string;
                            /** @description With `conductor-identity`: the `aud` of per-person tokens, Airflow's `[api_auth] jwt_audience` (default `apache-airflow`). */
                            audience?: string;
                            /** @description With `conductor-identity`: the `role` claim of per-person tokens, which Airflow's SimpleAuthManager reads (default `USER`: may read everything and trigger, rerun and pause DAGs, no more); other auth managers may ignore it. */
                            role?: string;
                        };
                        /** @default 10000 */
                        timeoutMs?: number;
                        /** @default 2 */
                        retries?: number;
                        /**
                         * @description Per-environment limits on calls to the orchestrator.
                         * @default {}
                         */
                        limits?: {
                            /**
                             * @description Writes (trigger, rerun, pause) in flight at once.
                             * @default 1
                             */
                            maxConcurrentWrites?: number;
                            /**
                             * @description Writes started per second (a token bucket holding one second's worth).
                             * @default 1
                             */
                            writesPerSecond?: number;
                            /**
                             * @description Reads in flight at once.
                             * @default 4
                             */
                            maxConcurrentReads?: number;
                            /**
                             * @description Reads started per second.
                             * @default 20
                             */
                            readsPerSecond?: number;
                            /**
                             * @description How long a call over the limit waits for its turn before it is refused with 429 `orchestrator_throttled`.
                             * @default 5000
                             */
                            maxWaitMs?: number;
                        };
                        /**
                         * @description Per-environment circuit breaker.
                         * @default {}
                         */
                        circuitBreaker?: {
                            /**
                             * @description Consecutive unavailable failures (unreachable, timeout, 5xx) that open the circuit.
                             * @default 5
                             */
                            failureThreshold?: number;
                            /**
                             * @description How long an open circuit refuses calls (503 `environment_circuit_open`) before one probe call is let through.
                             * @default 30
                             */
                            openSeconds?: number;
                        };
                        /** @description This Airflow runs the Conductor auth manager (integrations/airflow): what people Conductor knows do in its own UI and API was decided by Conductor's policy, so their runs enter the ledger and are audited as `airflow.run`, and their pauses, clears and marks are not shadow activity (default false). */
                        conductorAuthManager?: boolean;
                        /** @description Everything here should go through Conductor: any activity found behind its back (shadow activity) is `high` severity, not `warning`/`info` (default false). */
                        fullyGoverned?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ManagedEnvironmentAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/dags": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** DAGs you may read, across environments */
        get: {
            parameters: {
                query?: {
                    environment?: string;
                    tag?: string;
                    /** @description Only DAGs of environments in this compliance zone. */
                    zone?: string;
                    /** @description Only DAGs of environments of this tier. */
                    tier?: string;
                    /** @description Only DAGs of this team: the DAG's own team in Airflow (multi-team), else its environment's owning team. */
                    team?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DagList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments/{env}/dags": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** DAGs of an environment you may read */
        get: {
            parameters: {
                query?: {
                    tag?: string;
                    /** @description Only DAGs of environments in this compliance zone. */
                    zone?: string;
                    /** @description Only DAGs of environments of this tier. */
                    tier?: string;
                    /** @description Only DAGs of this team: the DAG's own team in Airflow (multi-team), else its environment's owning team. */
                    team?: string;
                };
                header?: never;
                path: {
                    env: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DagList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments/{env}/dags/{dag}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One DAG */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    env: string;
                    dag: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DagView"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Pause or unpause a DAG (dag:pause) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    env: string;
                    dag: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        paused: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PauseResult"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/environments/{env}/dags/{dag}/access": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who can run this: groups and principals policy allows per action, with the granting policies */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    env: string;
                    dag: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccessView"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments/{env}/dags/{dag}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent runs with who started them (run:read) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    offset?: number;
                };
                header?: never;
                path: {
                    env: string;
                    dag: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RunList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Trigger a run (dag:trigger); 202 with the pending request when policy asks for approval first */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes this request safe to retry: a retry with the same key and the same request answers the first answer again (with `Idempotency-Replayed: true`) and never acts twice; the same key with another request answers 422 `idempotency_key_reused`; while the first is processed, 409 `idempotency_key_in_use`. Keys are per principal and remembered for `governance.idempotencyKeyHours` (24 h by default). */
                    "idempotency-key"?: string;
                };
                path: {
                    env: string;
                    dag: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The run's conf: a JSON object, at most `governance.maxConfBytes` bytes and `governance.maxConfDepth` levels deep. */
                        conf?: unknown;
                        /** @description Omit or null for a normal manual run. */
                        logicalDate?: string | null;
                        /** @description Appended to the note Conductor writes on the Airflow run. */
                        note?: string;
                        /** @description Why you run it; recorded and available to policy as context.reason. */
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TriggerResult"];
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PendingResult"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments/{env}/dags/{dag}/runs/{runId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run with its task instances (run:read) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    env: string;
                    dag: string;
                    runId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RunDetail"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments/{env}/dags/{dag}/runs/{runId}/rerun": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rerun the failed tasks of a run (dag:rerun) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes this request safe to retry: a retry with the same key and the same request answers the first answer again (with `Idempotency-Replayed: true`) and never acts twice; the same key with another request answers 422 `idempotency_key_reused`; while the first is processed, 409 `idempotency_key_in_use`. Keys are per principal and remembered for `governance.idempotencyKeyHours` (24 h by default). */
                    "idempotency-key"?: string;
                };
                path: {
                    env: string;
                    dag: string;
                    runId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RerunResult"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments/{env}/dags/{dag}/runs/{runId}/tasks/{taskId}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A task's log, paged (run:logs) */
        get: {
            parameters: {
                query?: {
                    tryNumber?: number;
                    continuationToken?: string;
                };
                header?: never;
                path: {
                    env: string;
                    dag: string;
                    runId: string;
                    taskId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TaskLogPage"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/authorize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Explain what policy decides */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        action: "dag:read" | "dag:trigger" | "dag:rerun" | "dag:pause" | "run:read" | "run:logs" | "request:approve" | "audit:read" | "policy:write" | "environment:read" | "dag:delete" | "hitl:respond" | "xcom:write" | "connection:read" | "connection:write" | "variable:read" | "variable:write" | "pool:read" | "pool:write" | "asset:read" | "asset:write" | "config:read" | "view:read" | "airflow:authorize" | "request:auto_approve" | "grant:request" | "grant:revoke" | "service_account:read" | "service_account:manage" | "schedule:create" | "schedule:read" | "schedule:manage" | "schedule:transfer" | "link:create" | "link:read" | "link:manage" | "environment:create" | "environment:manage" | "asset:post_event" | "lineage:write" | "lineage:read" | "access:review" | "review:manage" | "review:read";
                        environment: string;
                        dag?: string;
                        /** @description Explain for another principal (needs audit:read). Groups default to those last seen. */
                        as?: {
                            /**
                             * @default User
                             * @enum {string}
                             */
                            type?: "User" | "ServiceAccount" | "Agent";
                            id: string;
                            groups?: string[];
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Explanation"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Requests: your own, or everyone's with audit:read */
        get: {
            parameters: {
                query?: {
                    principal?: string;
                    environment?: string;
                    dag?: string;
                    action?: string;
                    decision?: "allow" | "deny";
                    state?: string;
                    before?: string;
                    limit?: number;
                    /** @description true: the pending requests you may approve or deny (other filters are ignored) */
                    toApprove?: "true" | "false";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RequestList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One request with its decision and outcome: yours, one you decided or may decide on, or any with audit:read */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RequestView"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a pending request (request:approve; never your own); it runs once enough approvers approved */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        comment?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RequestView"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/deny": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deny a pending request (request:approve; never your own); it never runs */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        comment?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RequestView"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel your own pending request */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RequestView"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A request's lifecycle from the audit trail, oldest first (whoever may see the request) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RequestEvents"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/grants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your grants, active first (`state=all` for ended ones too); another principal's with audit:read */
        get: {
            parameters: {
                query?: {
                    state?: "active" | "all";
                    /** @description Another principal's grants (`type:id`); needs audit:read */
                    principal?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GrantList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Ask for a time-bound grant of a group (grant:request): 201 granted at once, or 202 with the request waiting for approval */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The group to be a member of for a while, e.g. `jit-prod-rerun` */
                        group: string;
                        /** @description Whole hours, 1 to `governance.maxGrantHours` (default 8); the grant starts when approved */
                        hours: number;
                        /** @description Why; policies may require one (`@reason("required")`) */
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GrantAnswer"];
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GrantPending"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/grants/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One grant: for its grantee, its approvers and audit readers */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GrantAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/grants/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End a grant now: its grantee, an approver, or grant:revoke on its group */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GrantAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/service-accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The service accounts and agents you may see (service_account:read) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServiceAccountList"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create a service account or agent (service_account:manage) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Unique for ever: a deleted account's name is not reused */
                        name: string;
                        /**
                         * @description `agent`: an AI agent acting as an `Agent` principal, with a sponsor
                         * @default service
                         * @enum {string}
                         */
                        kind?: "service" | "agent";
                        description?: string;
                        /** @description Who answers for it: a person, or a group whose members manage it */
                        owner: {
                            /** @enum {string} */
                            type: "User" | "Group";
                            id: string;
                        };
                        /** @description Groups it acts with; only groups you are in, unless you may policy:write */
                        groups?: string[];
                        /** @description Agents: the person who answers for it; default you (naming another person needs policy:write) */
                        sponsor?: string;
                        /** @description Agents: the MCP tools it may use (empty: all that policy allows) */
                        tools?: string[];
                        /** @description Agents: at most `max` requests of `action` per `perHours` hours */
                        budgets?: components["schemas"]["BudgetInput"][];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServiceAccountAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/service-accounts/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One service account or agent */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServiceAccountAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete for good: its tokens are revoked, its name is never reused; answers the tombstone */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServiceAccountAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change description, owner, groups, sponsor, tools or budgets */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string;
                        /** @description Who answers for it: a person, or a group whose members manage it */
                        owner?: {
                            /** @enum {string} */
                            type: "User" | "Group";
                            id: string;
                        };
                        /** @description Groups it acts with; only groups you are in, unless you may policy:write */
                        groups?: string[];
                        /** @description Agents: the person who answers for it; default you (naming another person needs policy:write) */
                        sponsor?: string;
                        /** @description Agents: the MCP tools it may use (empty: all that policy allows) */
                        tools?: string[];
                        /** @description Agents: at most `max` requests of `action` per `perHours` hours */
                        budgets?: components["schemas"]["BudgetInput"][];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServiceAccountAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/service-accounts/{name}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disable: its tokens stop working at once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServiceAccountAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/service-accounts/{name}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enable a disabled account again */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServiceAccountAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/service-accounts/{name}/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The API tokens of an account (never their secrets) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccessTokenList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create an API token for an account: shown once (service_account:manage, signed in) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A label, e.g. `ci` */
                        name: string;
                        /** @description Required; at most `identity.tokens.maxApiTokenDays` (default 90) */
                        expiresInDays: number;
                        /** @description Only these actions (default: whatever policy allows) */
                        actions?: ("dag:read" | "dag:trigger" | "dag:rerun" | "dag:pause" | "run:read" | "run:logs" | "request:approve" | "audit:read" | "policy:write" | "environment:read" | "dag:delete" | "hitl:respond" | "xcom:write" | "connection:read" | "connection:write" | "variable:read" | "variable:write" | "pool:read" | "pool:write" | "asset:read" | "asset:write" | "config:read" | "view:read" | "airflow:authorize" | "request:auto_approve" | "grant:request" | "grant:revoke" | "service_account:read" | "service_account:manage" | "schedule:create" | "schedule:read" | "schedule:manage" | "schedule:transfer" | "link:create" | "link:read" | "link:manage" | "environment:create" | "environment:manage" | "asset:post_event" | "lineage:write" | "lineage:read" | "access:review" | "review:manage" | "review:read")[];
                        /** @description Only these environments (default: all) */
                        environments?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccessTokenCreated"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your API tokens (never their secrets) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccessTokenList"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create a personal API token: it acts as you (signed in; shown once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A label, e.g. `ci` */
                        name: string;
                        /** @description Required; at most `identity.tokens.maxApiTokenDays` (default 90) */
                        expiresInDays: number;
                        /** @description Only these actions (default: whatever policy allows) */
                        actions?: ("dag:read" | "dag:trigger" | "dag:rerun" | "dag:pause" | "run:read" | "run:logs" | "request:approve" | "audit:read" | "policy:write" | "environment:read" | "dag:delete" | "hitl:respond" | "xcom:write" | "connection:read" | "connection:write" | "variable:read" | "variable:write" | "pool:read" | "pool:write" | "asset:read" | "asset:write" | "config:read" | "view:read" | "airflow:authorize" | "request:auto_approve" | "grant:request" | "grant:revoke" | "service_account:read" | "service_account:manage" | "schedule:create" | "schedule:read" | "schedule:manage" | "schedule:transfer" | "link:create" | "link:read" | "link:manage" | "environment:create" | "environment:manage" | "asset:post_event" | "lineage:write" | "lineage:read" | "access:review" | "review:manage" | "review:read")[];
                        /** @description Only these environments (default: all) */
                        environments?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccessTokenCreated"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a token now: yours, or one of an account you manage */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccessTokenAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The schedules you may see (schedule:read), with owner, next and last firing */
        get: {
            parameters: {
                query?: {
                    environment?: string;
                    dagId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create a schedule that triggers a DAG as its owner (schedule:create; the owner must be allowed dag:trigger) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        environment: string;
                        dagId: string;
                        /** @description Five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly */
                        cron?: string;
                        /** @description IANA time zone of `cron`, e.g. `Europe/Paris` (default UTC) */
                        timezone?: string;
                        /** @description Instead of cron: every this many seconds from creation (60 to a year) */
                        intervalSeconds?: number;
                        /** @description The run conf each firing passes (as a trigger's, at most `governance.maxConfBytes`) */
                        conf?: unknown;
                        /** @description What the schedule is for */
                        description?: string;
                        /** @description Who it triggers as (default: you); policy decides whether you may create it for them (`schedule:create`) */
                        owner?: {
                            /** @enum {string} */
                            type: "User" | "ServiceAccount" | "Agent";
                            id: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/schedules/findings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** DAGs Airflow schedules by itself, and those no Conductor schedule owns (findings) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleFindings"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One schedule */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete it (schedule:manage); answers the schedule as it was */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change its timing, conf or description (schedule:manage) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly */
                        cron?: string;
                        /** @description IANA time zone of `cron`, e.g. `Europe/Paris` (default UTC) */
                        timezone?: string;
                        /** @description Instead of cron: every this many seconds from creation (60 to a year) */
                        intervalSeconds?: number;
                        /** @description The run conf each firing passes (as a trigger's, at most `governance.maxConfBytes`) */
                        conf?: unknown;
                        description?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/schedules/{id}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop it firing (schedule:manage) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/schedules/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Let it fire again from now (schedule:manage; its owner must still be allowed to trigger) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/schedules/{id}/transfer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Give it to another owner (schedule:transfer; the new owner must be allowed dag:trigger) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The principal the schedule triggers as */
                        to: {
                            /** @enum {string} */
                            type: "User" | "ServiceAccount" | "Agent";
                            id: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The links you may see (link:read), with owner, state and last firings */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LinkList"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Create a link: when the source DAG succeeds (or the source asset is updated), trigger the target DAG (or post an event for the target asset) as the owner (link:create; the owner must be allowed dag:read on a source DAG or asset:read on a source asset's environment, and dag:trigger on a target DAG or asset:post_event on a target asset's environment) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The DAG whose successful runs fire the link, or the asset whose events do (exactly one of dagId and assetUri) */
                        source: {
                            environment: string;
                            /** @description A DAG of the environment */
                            dagId?: string;
                            /** @description An asset of the environment (Airflow 3), by its URI */
                            assetUri?: string;
                        };
                        /** @description The DAG each firing triggers, or the asset each firing posts an event for (exactly one of dagId and assetUri) */
                        target: {
                            environment: string;
                            /** @description A DAG of the environment */
                            dagId?: string;
                            /** @description An asset of the environment (Airflow 3), by its URI */
                            assetUri?: string;
                        };
                        /** @description The conf each firing passes (the extra of each asset event it posts, for an asset target): a JSON object whose string values may hold {{source.environment}} and, for a DAG source, {{source.run_id}}, {{source.dag_id}}, {{source.logical_date}}, {{source.end_date}}; for an asset source, {{source.asset_uri}}, {{source.event_id}}, {{source.timestamp}}, {{source.dag_id}}, {{source.run_id}} */
                        confTemplate?: unknown;
                        /** @description What the link is for */
                        description?: string;
                        /** @description Who it acts as (default: you); policy decides whether you may create it for them (`link:create`) */
                        owner?: {
                            /** @enum {string} */
                            type: "User" | "ServiceAccount" | "Agent";
                            id: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LinkAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/links/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One link */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LinkAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete it and its firings (link:manage); answers the link as it was */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LinkAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change its conf template or description (link:manage) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The conf each firing passes (the extra of each asset event it posts, for an asset target): a JSON object whose string values may hold {{source.environment}} and, for a DAG source, {{source.run_id}}, {{source.dag_id}}, {{source.logical_date}}, {{source.end_date}}; for an asset source, {{source.asset_uri}}, {{source.event_id}}, {{source.timestamp}}, {{source.dag_id}}, {{source.run_id}} */
                        confTemplate?: unknown;
                        description?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LinkAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/links/{id}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop it firing (link:manage) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LinkAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/links/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Let it fire again for source runs ending (asset events happening) from now (link:manage; its owner must still be allowed) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LinkAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/links/{id}/firings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Its firings, newest first */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LinkFiringList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/lineage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Receive an OpenLineage RunEvent (the provider's HTTP transport; lineage:write on the environment), store it, join it to its request and forward it */
        post: {
            parameters: {
                query?: {
                    /** @description The environment the event comes from; absent, the event's `job.namespace` names it (set `[openlineage] namespace` to the environment's name). */
                    environment?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description An OpenLineage RunEvent, spec 2-0-2; validated by the handler (`lineage_event_invalid` with `details.field`). */
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LineageReceived"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/lineage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A request's lineage: Conductor's run for it, the OpenLineage events joined to it and their datasets (who may read the request) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RequestLineage"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments/{env}/dags/{dag}/runs/{runId}/lineage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An Airflow run's lineage: who started it and through which policy (when through Conductor), and what each task read and wrote (run:read and lineage:read) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    env: string;
                    dag: string;
                    runId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RequestLineage"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/lineage/datasets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Datasets seen in the lineage you may read (lineage:read per environment), newest write first */
        get: {
            parameters: {
                query?: {
                    /** @description Only datasets whose namespace or name holds this text (any case). */
                    q?: string;
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LineageDatasetList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/lineage/dataset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One dataset: who wrote it, when, through what (newest first, paged), and its recent reads (lineage:read per environment) */
        get: {
            parameters: {
                query: {
                    /** @description The dataset's namespace (e.g. `postgres://db:5432`). */
                    namespace: string;
                    /** @description The dataset's name (e.g. `analytics.public.orders`); may hold slashes. */
                    name: string;
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LineageDataset"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reviews/campaigns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The campaigns (all with review:read or audit:read; else those you review items of) */
        get: {
            parameters: {
                query?: {
                    state?: "open" | "completed" | "cancelled";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Start an access review campaign: its items (who can do what, why, and who reviews it) are computed now and frozen (review:manage) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        description?: string;
                        /** @description What the campaign covers; empty (or absent) axes cover everything. Conductor-level access only when the scope is everything. */
                        scope?: {
                            /** @description Environments by name */
                            environments?: string[];
                            /** @description Environments by compliance zone */
                            zones?: string[];
                            /** @description DAGs by tag (any of them); DAG access only */
                            tags?: string[];
                        };
                        /** @description ISO 8601 */
                        dueAt: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reviews/campaigns/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One campaign with its counts */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reviews/campaigns/{id}/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A campaign's items (only those you review, without review:read or audit:read) */
        get: {
            parameters: {
                query?: {
                    decision?: "pending" | "certified" | "revoked";
                    /** @description Only the items you review */
                    mine?: "true" | "false";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReviewItemList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reviews/campaigns/{id}/decisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Certify or revoke items, all or nothing (access:review on each, never your own access); a revoke suspends the access at once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        decisions: {
                            itemId: string;
                            /** @enum {string} */
                            decision: "certify" | "revoke";
                            /** @description Required for a revoke */
                            comment?: string;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReviewDecisionAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reviews/campaigns/{id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Complete the campaign now; undecided items stay not reviewed (review:manage) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reviews/campaigns/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel the campaign (review:manage) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reviews/mine": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The pending items of open campaigns that you may decide */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReviewItemList"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reviews/findings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Revoked access to fix at the source; open ones are suspended (review:read or audit:read) */
        get: {
            parameters: {
                query?: {
                    state?: "open" | "resolved";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReviewFindingList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments/{env}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete an environment defined through the API (environment:manage); it stops answering, its requests and audit stay readable. Answers it as it was */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    env: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ManagedEnvironmentAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change an environment defined through the API (environment:manage); config's own answer 409 environment_config_owned */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    env: string;
                };
                cookie?: never;
            };
            /** @description The fields of an `environments[]` entry to change (not `name`); `credentials` is replaced as a whole and must be a secret reference. */
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ManagedEnvironmentAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/hitl": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Airflow human-in-the-loop tasks waiting in any environment that you may answer (hitl:respond, and one of the assigned users when the task names them) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["HitlInbox"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/environments/{env}/dags/{dag}/runs/{runId}/hitl/{taskId}/{mapIndex}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Answer a human-in-the-loop task: sent to Airflow as you where the environment supports it, else as Conductor's service account; audited either way */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    env: string;
                    dag: string;
                    runId: string;
                    taskId: string;
                    /** @description -1 for unmapped tasks. */
                    mapIndex: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description At least one; each one of the task's options (exactly one unless it allows several). */
                        chosenOptions: string[];
                        /** @description Values for every param of the task (all of them or none). */
                        params?: {
                            [key: string]: unknown;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["HitlAnswered"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        /** @description Seconds until the call may be retried (`details.retryAfterSeconds`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        /** @description Seconds until the environment's next probe, when its circuit is open (`environment_circuit_open`). */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit events, oldest first (audit:read) */
        get: {
            parameters: {
                query?: {
                    principal?: string;
                    environment?: string;
                    dag?: string;
                    action?: string;
                    type?: string;
                    decision?: "allow" | "deny";
                    requestId?: string;
                    from?: string;
                    to?: string;
                    afterSeq?: number;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditPage"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download the filtered events as CSV or JSON (audit:read) */
        get: {
            parameters: {
                query?: {
                    principal?: string;
                    environment?: string;
                    dag?: string;
                    action?: string;
                    type?: string;
                    decision?: "allow" | "deny";
                    requestId?: string;
                    from?: string;
                    to?: string;
                    afterSeq?: number;
                    limit?: number;
                    format?: "csv" | "json";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The events, streamed as an attachment */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditEvent"][];
                        "text/csv": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Verify the whole hash chain (audit:read) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditVerifyResult"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Signed checkpoints of the chain and the public key that verifies them (audit:read) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditCheckpointList"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Sign the chain head now (audit:read) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditCheckpointTaken"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shadow": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Shadow activity found at catalog syncs, newest first, with counts per kind (audit:read) */
        get: {
            parameters: {
                query?: {
                    environment?: string;
                    /** @description Only what was found at or after this time. */
                    since?: string;
                    kind?: "run" | "pause" | "clear" | "mark" | "unowned_schedule";
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ShadowList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/policies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The loaded policy set: version, files, validation status, each policy */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PolicySetView"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/policies/impact": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Who would gain and who would lose which actions on which DAGs and environments under a proposed policy set (policy:write or audit:read) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Policy file name (NAME.cedar) → Cedar text. */
                        files: {
                            [key: string]: string;
                        };
                        /**
                         * @description overlay: the files are added to, or replace, the loaded files of the same name (an empty text removes one); replace: the files are the whole proposed set.
                         * @default overlay
                         * @enum {string}
                         */
                        mode?: "overlay" | "replace";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PolicyImpactView"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The server at a glance: version, database, policy; environments, SCIM, replicas and audit sinks with audit:read */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["StatusView"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/secrets/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every secret reference in config: its provider, version and age, and whether reading it works (audit:read); never a value */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            secrets: components["schemas"]["SecretStatus"][];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/scim/reconciliation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Drift between SCIM users and groups and what their tokens claim (audit:read) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReconciliationReport"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/service-accounts/{name}/trusts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The workload identities that may act as this service account (service_account:read) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TrustRuleList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        put?: never;
        /** Trust a workload identity (service_account:manage): 201 with the rule; 400 trust_rule_invalid names the condition that trusts too much */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description A workload issuer's name, or `aws` */
                        issuer: string;
                        /** @description Claim path → glob. GitHub needs `repository` (owner without wildcards); Kubernetes `namespace` and `serviceAccount`; AWS `arn` (a role or user ARN, account without wildcards) */
                        conditions: {
                            [key: string]: unknown;
                        };
                        description?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TrustRuleAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/service-accounts/{name}/trusts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Stop trusting a workload identity (service_account:manage); tokens already exchanged live out their minutes */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TrustRuleAnswer"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorBody"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        BudgetInput: {
            /** @enum {string} */
            action: "dag:read" | "dag:trigger" | "dag:rerun" | "dag:pause" | "run:read" | "run:logs" | "request:approve" | "audit:read" | "policy:write" | "environment:read" | "dag:delete" | "hitl:respond" | "xcom:write" | "connection:read" | "connection:write" | "variable:read" | "variable:write" | "pool:read" | "pool:write" | "asset:read" | "asset:write" | "config:read" | "view:read" | "airflow:authorize" | "request:auto_approve" | "grant:request" | "grant:revoke" | "service_account:read" | "service_account:manage" | "schedule:create" | "schedule:read" | "schedule:manage" | "schedule:transfer" | "link:create" | "link:read" | "link:manage" | "environment:create" | "environment:manage" | "asset:post_event" | "lineage:write" | "lineage:read" | "access:review" | "review:manage" | "review:read";
            /** @description At most this many non-denied requests… */
            max: number;
            /** @description …in this many hours (a sliding window) */
            perHours: number;
        };
        /** @description RFC 8693 token exchange, as application/x-www-form-urlencoded (or JSON). */
        TokenExchangeRequestInput: {
            /** @description Must be `urn:ietf:params:oauth:grant-type:token-exchange` */
            grant_type?: string;
            /** @description The credential: a workload JWT, a person's IdP token, a Conductor token, or a signed GetCallerIdentity request (base64url JSON) */
            subject_token?: string;
            /** @description `urn:ietf:params:oauth:token-type:jwt`, `urn:ietf:params:oauth:token-type:id_token`, `urn:ietf:params:oauth:token-type:access_token` or `urn:conductor:params:oauth:token-type:aws-sts-get-caller-identity` */
            subject_token_type?: string;
            /** @description Extension: the service account to act as, when several trust the workload credential */
            service_account?: string;
            /** @description Space-separated actions the new token is limited to (narrows only) */
            scope?: string;
            /** @description Only `urn:ietf:params:oauth:token-type:access_token` */
            requested_token_type?: string;
            /** @description When given: Conductor's public URL */
            resource?: string | string[];
            /** @description When given: Conductor's public URL or `identity.audience` */
            audience?: string | string[];
        } & {
            [key: string]: unknown;
        };
        /** @description An error answer. */
        ErrorBody: {
            error: {
                /**
                 * @description Stable; see docs/errors.md.
                 * @enum {string}
                 */
                code: "invalid_input" | "not_found" | "method_not_allowed" | "conflict" | "internal" | "payload_too_large" | "uri_too_long" | "unsupported_media_type" | "headers_too_large" | "config_invalid" | "store_unavailable" | "token_missing" | "token_malformed" | "token_too_large" | "token_expired" | "token_not_yet_valid" | "token_invalid_issuer" | "token_invalid_audience" | "token_invalid_signature" | "token_algorithm_not_allowed" | "token_unsupported_critical_header" | "token_invalid_claims" | "token_unknown" | "issuer_unavailable" | "principal_unknown" | "session_invalid" | "session_expired" | "session_revoked" | "csrf_invalid" | "login_failed" | "airflow_sign_in_invalid" | "precondition_failed" | "trust_rule_invalid" | "trust_rule_not_found" | "unsupported_grant_type" | "invalid_grant" | "invalid_target" | "invalid_scope" | "token_revoked" | "token_owner_disabled" | "token_principal_conflict" | "token_expiry_too_long" | "credential_not_interactive" | "access_token_not_found" | "service_account_not_found" | "service_account_exists" | "group_not_held" | "sponsor_not_allowed" | "policy_invalid" | "policy_denied" | "policy_evaluation_failed" | "secret_not_found" | "secret_unreadable" | "secret_unavailable" | "environment_not_found" | "dag_not_found" | "run_not_found" | "task_not_found" | "orchestrator_unavailable" | "orchestrator_auth_failed" | "orchestrator_rejected" | "orchestrator_conflict" | "orchestrator_throttled" | "environment_circuit_open" | "airflow_api_mismatch" | "asset_not_found" | "assets_not_supported" | "request_not_found" | "conf_invalid" | "conf_too_large" | "lineage_event_invalid" | "dataset_not_found" | "run_type_not_allowed" | "dispatch_failed" | "idempotency_key_reused" | "idempotency_key_in_use" | "dispatch_interrupted" | "reason_required" | "approval_self" | "approval_not_allowed" | "approval_duplicate" | "request_not_pending" | "request_not_yours" | "approval_pending" | "grant_not_found" | "grant_revoke_not_allowed" | "grant_not_active" | "hitl_not_found" | "hitl_not_supported" | "hitl_not_assigned" | "hitl_already_answered" | "budget_exceeded" | "schedule_not_found" | "schedule_owner_not_allowed" | "link_not_found" | "link_owner_not_allowed" | "environment_exists" | "environment_config_owned" | "secret_value_refused" | "tool_not_allowed" | "audit_chain_broken" | "audit_sink_unavailable" | "audit_checkpoints_not_configured" | "audit_archive_broken" | "archive_store_unavailable" | "archive_store_refused" | "campaign_not_found" | "campaign_closed" | "review_item_not_found" | "review_not_allowed" | "history_unavailable" | "evidence_bundle_broken";
                message: string;
                /** @description Facts a program may act on, e.g. `field`. */
                details?: {
                    [key: string]: unknown;
                };
                /** @description Find the answer in the server log by this id. */
                requestId: string;
            };
        };
        Me: {
            /** @enum {string} */
            type: "User" | "ServiceAccount" | "Agent";
            /** @description For an Agent: its sponsor, tools and budgets with how much is used */
            agent?: {
                /** @description The person who answers for this agent */
                sponsor: string;
                /** @description The MCP tools it may use (empty: all that policy allows) */
                tools: string[];
                budgets: {
                    action: string;
                    max: number;
                    perHours: number;
                    /** @description Non-denied requests of the action within the window now */
                    used: number;
                    /** @description 0 while under the budget; else when one more request fits */
                    retryAfterSeconds: number;
                }[];
            };
            /** @description When you called with a Conductor token: which, its scope and expiry */
            credential?: {
                /** @enum {string} */
                kind: "api-token" | "exchanged";
                id: string;
                /** @description null: no limit on that axis */
                scope: {
                    actions: string[] | null;
                    environments: string[] | null;
                };
                /** @description ISO 8601 */
                expiresAt: string | null;
            };
            id: string;
            username: string;
            displayName: string | null;
            email: string | null;
            issuer: string;
            groups: string[];
            /** @description The groups exactly as the identity provider sent them. */
            idpGroups: string[];
        };
        /** @description Absent when the environment is not guarded. */
        ProtectionStatus: {
            circuit: {
                /**
                 * @description `open`: calls are refused unsent (503 `environment_circuit_open`); `half-open`: the next call is a probe.
                 * @enum {string}
                 */
                state: "closed" | "open" | "half-open";
                consecutiveFailures: number;
                openedAt: string | null;
                /** @description When one probe call will be let through; null while closed. */
                nextProbeAt: string | null;
            };
            reads: {
                /** @description Calls to the environment in flight now. */
                inFlight: number;
                /** @description Calls waiting for their turn now. */
                queued: number;
                /** @description Calls refused with `orchestrator_throttled` since Conductor started. */
                throttled: number;
            };
            writes: {
                /** @description Calls to the environment in flight now. */
                inFlight: number;
                /** @description Calls waiting for their turn now. */
                queued: number;
                /** @description Calls refused with `orchestrator_throttled` since Conductor started. */
                throttled: number;
            };
        };
        EnvironmentView: {
            name: string;
            kind: string;
            url: string;
            zone: string;
            tier: string;
            team: string | null;
            /**
             * @description Where it is defined: `config` (conductor.yaml) or `api` (POST /api/v1/environments).
             * @enum {string}
             */
            source: "config" | "api";
            /** @description Null until the first sync. */
            status: {
                reachable: boolean;
                version: string | null;
                dagCount: number;
                lastSyncAt: string | null;
                lastError: string | null;
                /** @description ISO 8601 */
                checkedAt: string;
            } | null;
            protection?: components["schemas"]["ProtectionStatus"];
        };
        EnvironmentList: {
            environments: components["schemas"]["EnvironmentView"][];
        };
        DagParam: {
            value: unknown;
            /** @description A JSON Schema for the value; `{}` when Airflow gives none. */
            schema: {
                [key: string]: unknown;
            };
            description: string | null;
        };
        Permission: {
            allowed: boolean;
            policyIds: string[];
            reasons: string[];
        };
        DagView: {
            environment: string;
            dagId: string;
            description: string | null;
            tags: string[];
            owners: string[];
            paused: boolean;
            schedule: string | null;
            /** @description ISO 8601 */
            syncedAt: string;
            /** @description The DAG's team in Airflow (Airflow 3 multi-team); null when Airflow names none. */
            team: string | null;
            /** @description The run types Airflow allows for this DAG (`allowed_run_types`, Airflow 3.2+); null when every type is allowed. A DAG without `manual` cannot be triggered. */
            allowedRunTypes: string[] | null;
            /** @description What the caller may do with this DAG, and why, by action. */
            permissions?: {
                [key: string]: components["schemas"]["Permission"];
            };
            /** @description The DAG's params (single-DAG reads only); null when Airflow cannot be asked. */
            params?: {
                [key: string]: components["schemas"]["DagParam"];
            } | null;
        };
        DagList: {
            dags: components["schemas"]["DagView"][];
        };
        AccessView: {
            environment: string;
            dagId: string;
            actions: {
                [key: string]: {
                    groups: {
                        group: string;
                        policyIds: string[];
                    }[];
                    principals: {
                        type: string;
                        id: string;
                        policyIds: string[];
                    }[];
                };
            };
        };
        StartedBy: {
            /** @constant */
            via: "conductor";
            principalType: string;
            principalId: string;
            requestId: string;
        } | {
            /** @constant */
            via: "airflow";
            runType: string | null;
            triggeredBy: string | null;
        };
        RunView: {
            environment: string;
            dagId: string;
            runId: string;
            /** @description `queued`, `running`, `success`, `failed`. */
            state: string;
            runType: string | null;
            logicalDate: string | null;
            queuedAt: string | null;
            startDate: string | null;
            endDate: string | null;
            conf: {
                [key: string]: unknown;
            };
            note: string | null;
            triggeredBy: string | null;
            startedBy: components["schemas"]["StartedBy"];
        };
        RunList: {
            runs: components["schemas"]["RunView"][];
        };
        TaskInstance: {
            taskId: string;
            /** @description Null when not yet scheduled. */
            state: string | null;
            tryNumber: number;
            /** @description -1 for unmapped tasks. */
            mapIndex: number;
            startDate: string | null;
            endDate: string | null;
            durationSeconds: number | null;
        };
        RunDetail: {
            environment: string;
            dagId: string;
            runId: string;
            /** @description `queued`, `running`, `success`, `failed`. */
            state: string;
            runType: string | null;
            logicalDate: string | null;
            queuedAt: string | null;
            startDate: string | null;
            endDate: string | null;
            conf: {
                [key: string]: unknown;
            };
            note: string | null;
            triggeredBy: string | null;
            startedBy: components["schemas"]["StartedBy"];
            tasks: components["schemas"]["TaskInstance"][];
        };
        RequestView: {
            id: string;
            /** @description ISO 8601 */
            createdAt: string;
            /** @description ISO 8601 */
            updatedAt: string;
            principal: {
                type: string;
                id: string;
                issuer: string;
                groups: string[];
            };
            action: string;
            environment: string;
            dagId: string | null;
            runId: string | null;
            input: {
                [key: string]: unknown;
            };
            decision: {
                decision: string;
                policyIds: string[];
                reasons: string[];
                policyVersion: number;
            };
            state: string;
            error: {
                code: string;
                message: string;
            } | null;
            /** @description What the request waits for (or waited for) when policy asked for approval; null when it did not */
            approval: {
                /** @description Approvals from any one of these groups, each `count` people */
                groups: {
                    group: string;
                    count: number;
                }[];
                reasonRequired: boolean;
                policyIds: string[];
                expiresAt: string | null;
                /** @description Groups that may approve too from `from` on (`@escalate`); `escalatedAt` is when Conductor recorded the escalation */
                escalations: {
                    group: string;
                    count: number;
                    afterMinutes: number;
                    /** @description ISO 8601 */
                    from: string;
                    escalatedAt: string | null;
                }[];
                verdicts: {
                    approverType: string;
                    approverId: string;
                    /** @enum {string} */
                    verdict: "approve" | "deny";
                    comment: string | null;
                    /** @description ISO 8601 */
                    at: string;
                }[];
            } | null;
            /** @description The grant a `grant:request` request made once granted (docs/grants.md); null otherwise */
            grantId: string | null;
        };
        RequestEvent: {
            /** @description The audit event's sequence number */
            seq: number;
            /** @description `authz.decision`, `request.pending`, `request.approved`, `request.denied`, `request.expired`, `request.cancelled`, `request.auto_approved`, `dispatch.sent`, `dispatch.result`, … */
            type: string;
            /** @description ISO 8601 */
            at: string;
            /** @description Who acted: the requester, the approver, the auto-approving policy; null for Conductor itself */
            actor: {
                type: string;
                id: string;
            } | null;
            /** @description The approver's comment, or why it was cancelled */
            comment: string | null;
            /** @description What it came to, when the step says: `run <id>`, an error code and message, … */
            outcome: string | null;
        };
        RequestEvents: {
            events: components["schemas"]["RequestEvent"][];
        };
        RequestList: {
            requests: components["schemas"]["RequestView"][];
        };
        TriggerResult: {
            request: components["schemas"]["RequestView"];
            run: components["schemas"]["RunView"];
        };
        PendingResult: {
            request: components["schemas"]["RequestView"];
        };
        RerunResult: {
            request: components["schemas"]["RequestView"];
            clearedTaskIds: string[];
        };
        PauseResult: {
            request: components["schemas"]["RequestView"];
            dag: components["schemas"]["DagView"];
        };
        TaskLogPage: {
            tryNumber: number;
            lines: string[];
            /** @description Pass back to read what the task wrote since; null when there is none. */
            continuationToken: string | null;
            requestId: string;
        };
        Explanation: {
            /** @enum {string} */
            decision: "allow" | "deny";
            policyIds: string[];
            reasons: string[];
            errors: string[];
            policyVersion: number;
            /** @description For an allow: null when it runs at once; else the approvals it would wait for (`@approval`, `@escalate`) */
            approval: {
                groups: {
                    group: string;
                    count: number;
                }[];
                reasonRequired: boolean;
                policyIds: string[];
                escalations?: {
                    group: string;
                    count: number;
                    afterMinutes: number;
                }[];
            } | null;
            principal: {
                type: string;
                id: string;
                groups: string[];
            };
            /** @enum {string} */
            action: "dag:read" | "dag:trigger" | "dag:rerun" | "dag:pause" | "run:read" | "run:logs" | "request:approve" | "audit:read" | "policy:write" | "environment:read" | "dag:delete" | "hitl:respond" | "xcom:write" | "connection:read" | "connection:write" | "variable:read" | "variable:write" | "pool:read" | "pool:write" | "asset:read" | "asset:write" | "config:read" | "view:read" | "airflow:authorize" | "request:auto_approve" | "grant:request" | "grant:revoke" | "service_account:read" | "service_account:manage" | "schedule:create" | "schedule:read" | "schedule:manage" | "schedule:transfer" | "link:create" | "link:read" | "link:manage" | "environment:create" | "environment:manage" | "asset:post_event" | "lineage:write" | "lineage:read" | "access:review" | "review:manage" | "review:read";
            environment: string;
            dagId: string | null;
            /** @description What Conductor added to the policy context for this question (beyond the time and the conf) */
            context: {
                /** @description For dag:trigger and dag:rerun: what the DAG is known to write, as policy saw it (`context.lineage`, docs/lineage.md) */
                lineage?: {
                    writes: string[];
                    writeTags: string[];
                };
            };
        };
        AuditEvent: {
            seq: number;
            /** @description ISO 8601 */
            at: string;
            type: string;
            principal: string | null;
            principalType: string | null;
            environment: string | null;
            dag: string | null;
            action: string | null;
            requestId: string | null;
            decision: ("allow" | "deny") | null;
            policyIds: string[];
            data: {
                [key: string]: unknown;
            };
            prevHash: string;
            hash: string;
        };
        AuditPage: {
            events: components["schemas"]["AuditEvent"][];
            /** @description Pass as `afterSeq` for the next page; null on the last. */
            nextAfterSeq: number | null;
        };
        ShadowItem: {
            environment: string;
            /** @description Unique per environment: `run:<dag>/<run id>` or `event:<Airflow event log id>`. */
            key: string;
            /** @enum {string} */
            kind: "run" | "pause" | "clear" | "mark" | "unowned_schedule";
            /**
             * @description `high` for anything in a fully governed environment; else `warning`, and `info` for unowned schedules.
             * @enum {string}
             */
            severity: "info" | "warning" | "high";
            dagId: string | null;
            runId: string | null;
            /** @description The Airflow user who acted, when Airflow says. */
            actor: string | null;
            /** @description Run type and state, or Airflow's event name and its extra. */
            detail: {
                [key: string]: unknown;
            };
            /** @description ISO 8601 */
            occurredAt: string;
            /** @description ISO 8601 */
            detectedAt: string;
        };
        ShadowList: {
            /** @description How many items of each kind match `environment` and `since` (whatever `kind` and `limit` say). */
            counts: {
                run: number;
                pause: number;
                clear: number;
                mark: number;
                unowned_schedule: number;
            };
            /** @description Newest found first, at most `limit`. */
            items: components["schemas"]["ShadowItem"][];
        };
        AuditVerifyResult: {
            /** @constant */
            ok: true;
            count: number;
            lastSeq: number;
            lastHash: string;
        } | {
            /** @constant */
            ok: false;
            firstBadSeq: number;
            reason: string;
            count: number;
        };
        AuditCheckpoint: {
            /** @description The chain head signed: the last event's seq. */
            seq: number;
            /** @description That event's hash. */
            hash: string;
            /** @description When the checkpoint was taken, ISO 8601. */
            at: string;
            /** @description The RFC 7638 thumbprint of the signing key's public JWK. */
            keyId: string;
            /** @description Ed25519, base64url, over the RFC 8785 canonical JSON of {at, hash, keyId, seq}. */
            signature: string;
        };
        AuditCheckpointList: {
            /** @description The public key (JWK) of `audit.checkpoints.key`; null when checkpoints are off. */
            key: {
                /** @constant */
                kty: "OKP";
                /** @constant */
                crv: "Ed25519";
                x: string;
                kid: string;
            } | null;
            checkpoints: components["schemas"]["AuditCheckpoint"][];
        };
        AuditCheckpointTaken: {
            checkpoint: components["schemas"]["AuditCheckpoint"] | null;
        };
        PolicyErrorLocation: {
            file: string;
            line: number;
            column: number;
            message: string;
        };
        PolicySetView: {
            version: number;
            hash: string;
            /** @description ISO 8601 */
            loadedAt: string;
            policyCount: number;
            files: string[];
            /** @description Why the files on disk do not load; the set above stays in force. */
            lastReloadError: components["schemas"]["PolicyErrorLocation"] | null;
            policies: {
                id: string;
                file: string;
                line: number;
                /** @enum {string} */
                effect: "permit" | "forbid";
                text: string;
            }[];
        };
        PolicyImpactView: {
            /** @description The version of the loaded set compared against. */
            policyVersion: number;
            /** @description The files of the proposed set. */
            files: string[];
            principals: {
                type: string;
                id: string;
                groups: string[];
                actions: {
                    action: string;
                    gains: {
                        /** @description null for an action on Conductor itself */
                        environment: string | null;
                        /** @description null for an environment-level action */
                        dagId: string | null;
                        /** @description The policies that decided before (empty: default deny). */
                        before: string[];
                        /** @description The policies that decide after the change. */
                        after: string[];
                    }[];
                    losses: {
                        /** @description null for an action on Conductor itself */
                        environment: string | null;
                        /** @description null for an environment-level action */
                        dagId: string | null;
                        /** @description The policies that decided before (empty: default deny). */
                        before: string[];
                        /** @description The policies that decide after the change. */
                        after: string[];
                    }[];
                }[];
            }[];
            counts: {
                principals: number;
                dags: number;
                environments: number;
                evaluations: number;
                gains: number;
                losses: number;
            };
            /** @description More targets changed than listed; the counts stay exact. */
            truncated: boolean;
        };
        ReconciliationReport: {
            /** @description ISO 8601 */
            at: string;
            checked: number;
            inSync: number;
            drifted: {
                principal: {
                    type: string;
                    id: string;
                    issuer: string;
                };
                scimUser: {
                    id: string;
                    active: boolean;
                    deleted: boolean;
                } | null;
                missingFromClaims: string[];
                notInScim: string[];
                /** @description ISO 8601 */
                lastSeenAt: string;
            }[];
        };
        Session: {
            principal: {
                /** @enum {string} */
                type: "User" | "ServiceAccount" | "Agent";
                id: string;
                username: string;
                displayName: string | null;
                email: string | null;
                groups: string[];
            };
            /** @description Send as `x-csrf-token` on every state-changing request. */
            csrfToken: string;
            /** @description ISO 8601 */
            expiresAt: string;
            /** @description ISO 8601 */
            idleExpiresAt: string;
        };
        CliConfig: {
            issuer: string | null;
            cliClientId: string;
            webClientId: string;
            audience: string;
            resource: string | null;
            scopes: string[];
        };
        LogoutResult: {
            redirectTo: string;
        };
        OidcError: {
            error: string;
            error_description: string;
        };
        GrantView: {
            id: string;
            /** @description The grant:request request it came from */
            requestId: string | null;
            principal: {
                type: string;
                id: string;
            };
            group: string;
            reason: string | null;
            /** @enum {string} */
            state: "active" | "revoked" | "expired";
            /** @description ISO 8601 */
            startsAt: string;
            /** @description ISO 8601 */
            expiresAt: string;
            /** @description Seconds left while active; 0 otherwise */
            remainingSeconds: number;
            /** @description e.g. "User dave", "Policy incident-auto" */
            approvedBy: string[];
            /** @description "User bob", "scim", … when revoked */
            revokedBy: string | null;
            revokedAt: string | null;
        };
        GrantAnswer: {
            grant: components["schemas"]["GrantView"];
        };
        GrantList: {
            grants: components["schemas"]["GrantView"][];
        };
        GrantPending: {
            request: components["schemas"]["RequestView"];
        };
        ServiceAccount: {
            name: string;
            /** @enum {string} */
            kind: "service" | "agent";
            /**
             * @description How it appears to policy and in the audit trail
             * @enum {string}
             */
            principalType: "ServiceAccount" | "Agent";
            description: string;
            owner: {
                /** @enum {string} */
                type: "User" | "Group";
                id: string;
            };
            groups: string[];
            sponsor: string | null;
            tools: string[];
            budgets: {
                action: string;
                max: number;
                perHours: number;
            }[];
            /** @enum {string} */
            state: "active" | "disabled" | "deleted";
            /** @description ISO 8601 */
            createdAt: string;
            createdBy: string;
            /** @description ISO 8601 */
            updatedAt: string;
            disabledReason: string | null;
        };
        CredentialScope: {
            /** @description null: any action policy allows */
            actions: string[] | null;
            /** @description null: every environment */
            environments: string[] | null;
        };
        AccessToken: {
            id: string;
            /** @enum {string} */
            kind: "api" | "exchanged";
            name: string;
            principal: {
                /** @enum {string} */
                type: "User" | "ServiceAccount" | "Agent";
                id: string;
            };
            scope: components["schemas"]["CredentialScope"];
            /** @description ISO 8601 */
            createdAt: string;
            createdBy: string;
            /** @description ISO 8601 */
            expiresAt: string;
            /** @description Recorded at most once a minute */
            lastUsedAt: string | null;
            revokedAt: string | null;
            revokedReason: string | null;
            /** @description The credential an exchanged token was obtained with */
            parentId: string | null;
            /** @enum {string} */
            state: "active" | "expired" | "revoked";
        };
        ServiceAccountAnswer: {
            serviceAccount: components["schemas"]["ServiceAccount"];
        };
        ServiceAccountList: {
            serviceAccounts: components["schemas"]["ServiceAccount"][];
        };
        AccessTokenList: {
            tokens: components["schemas"]["AccessToken"][];
        };
        AccessTokenCreated: {
            /** @description The bearer token (`cdt_…`): shown this once, store it now */
            token: string;
            accessToken: components["schemas"]["AccessToken"];
        };
        AccessTokenAnswer: {
            accessToken: components["schemas"]["AccessToken"];
        };
        ScheduleView: {
            id: string;
            environment: string;
            dagId: string;
            owner: {
                /** @enum {string} */
                type: "User" | "ServiceAccount" | "Agent";
                id: string;
            };
            cron: string | null;
            timezone: string | null;
            intervalSeconds: number | null;
            conf: {
                [key: string]: unknown;
            };
            description: string | null;
            /** @enum {string} */
            state: "active" | "suspended";
            /** @description `suspended_by_user`, `owner_deprovisioned` or `owner_not_allowed` while suspended */
            suspendedReason: string | null;
            /** @description When it fires next; null while suspended */
            nextFireAt: string | null;
            /** @description The due time of its last firing */
            lastFiredAt: string | null;
            /** @description The dag:trigger request of its last firing */
            lastRequestId: string | null;
            createdBy: string;
            /** @description ISO 8601 */
            createdAt: string;
            /** @description ISO 8601 */
            updatedAt: string;
        };
        ScheduleAnswer: {
            schedule: components["schemas"]["ScheduleView"];
        };
        ScheduleList: {
            schedules: components["schemas"]["ScheduleView"][];
        };
        ScheduledDag: {
            environment: string;
            dagId: string;
            /** @description Airflow's summary of the DAG's own schedule */
            schedule: string;
            /** @description The DAG's `owner` field in Airflow */
            owners: string[];
            /** @description The active Conductor schedules of this DAG */
            ownedBy: {
                scheduleId: string;
                owner: {
                    /** @enum {string} */
                    type: "User" | "ServiceAccount" | "Agent";
                    id: string;
                };
            }[];
            /** @description Its Airflow owners (and `owner:<id>` tags) that are principals Conductor has seen, as shadow activity counts ownership */
            ownerPrincipals: string[];
        };
        ScheduleFindings: {
            /** @description Every DAG Airflow schedules by itself that you may read */
            scheduled: components["schemas"]["ScheduledDag"][];
            /** @description The scheduled DAGs nobody answers for: no active Conductor schedule, and no Airflow owner that is a known principal */
            findings: {
                environment: string;
                dagId: string;
                /** @description Airflow's summary of the DAG's own schedule */
                schedule: string;
                /** @description The DAG's `owner` field in Airflow */
                owners: string[];
                /** @description The active Conductor schedules of this DAG */
                ownedBy: {
                    scheduleId: string;
                    owner: {
                        /** @enum {string} */
                        type: "User" | "ServiceAccount" | "Agent";
                        id: string;
                    };
                }[];
                /** @description Its Airflow owners (and `owner:<id>` tags) that are principals Conductor has seen, as shadow activity counts ownership */
                ownerPrincipals: string[];
                /** @constant */
                kind: "unowned_schedule";
            }[];
        };
        LinkFiring: {
            /** @description The source run that succeeded (null for an asset source) */
            sourceRunId: string | null;
            /** @description When the source event happened: the run's end date, or the asset event's timestamp */
            sourceEndDate: string | null;
            /** @description Airflow's id of the source asset event (null for a DAG source) */
            sourceAssetEventId: string | null;
            /** @description The request of the firing: dag:trigger for a DAG target, asset:post_event for an asset target */
            requestId: string | null;
            /** @description `claimed` (under way), `fired`, `refused` (the link was suspended) or `failed` */
            outcome: string;
            /** @description ISO 8601 */
            at: string;
        };
        /** @description A DAG (dagId) or an asset (assetUri) of the environment */
        LinkEnd: {
            environment: string;
            /** @description The DAG, for a DAG end */
            dagId?: string;
            /** @description The asset's URI, for an asset end */
            assetUri?: string;
        };
        LinkView: {
            id: string;
            owner: {
                /** @enum {string} */
                type: "User" | "ServiceAccount" | "Agent";
                id: string;
            };
            source: components["schemas"]["LinkEnd"];
            target: components["schemas"]["LinkEnd"];
            confTemplate: {
                [key: string]: unknown;
            };
            description: string | null;
            /** @enum {string} */
            state: "active" | "suspended";
            /** @description `suspended_by_user`, `owner_deprovisioned` or `owner_not_allowed` while suspended */
            suspendedReason: string | null;
            /** @description The end date of the latest source run seen (the timestamp of the latest asset event, for an asset source) */
            cursor: string | null;
            /** @description Its latest firings, newest first (at most 5) */
            lastFirings: components["schemas"]["LinkFiring"][];
            createdBy: string;
            /** @description ISO 8601 */
            createdAt: string;
            /** @description ISO 8601 */
            updatedAt: string;
        };
        LinkAnswer: {
            link: components["schemas"]["LinkView"];
        };
        LinkList: {
            links: components["schemas"]["LinkView"][];
        };
        LinkFiringList: {
            firings: components["schemas"]["LinkFiring"][];
        };
        ReviewWhy: {
            /** @description The permitting policies */
            policies: string[];
            /** @description The principal's groups that the permitting policies name */
            groups: string[];
            /** @description Active just-in-time grants of those groups */
            grants: {
                id: string;
                group: string;
                /** @description ISO 8601 */
                expiresAt: string;
            }[];
        };
        /** @description What the campaign covers; empty (or absent) axes cover everything. Conductor-level access only when the scope is everything. */
        ReviewScope: {
            /** @description Environments by name */
            environments?: string[];
            /** @description Environments by compliance zone */
            zones?: string[];
            /** @description DAGs by tag (any of them); DAG access only */
            tags?: string[];
        };
        Campaign: {
            id: string;
            name: string;
            description: string | null;
            scope: components["schemas"]["ReviewScope"];
            /** @description ISO 8601 */
            dueAt: string;
            /** @enum {string} */
            state: "open" | "completed" | "cancelled";
            createdBy: {
                type: string;
                id: string;
            };
            /** @description ISO 8601 */
            createdAt: string;
            completedAt: string | null;
            policyVersion: number;
            counts: {
                items: number;
                pending: number;
                certified: number;
                revoked: number;
            };
        };
        ReviewItem: {
            id: string;
            campaignId: string;
            principal: {
                type: string;
                id: string;
                displayName: string | null;
                groups: string[];
            };
            action: string;
            /** @description Null for Conductor-level access */
            environment: string | null;
            /** @description The DAGs allowed; null for environment- or Conductor-level access */
            dagIds: string[] | null;
            why: components["schemas"]["ReviewWhy"];
            /** @description Who policy allowed to review it at the start (never the principal itself) */
            reviewers: {
                type: string;
                id: string;
            }[];
            decision: {
                /** @enum {string} */
                decision: "certify" | "revoke";
                comment: string | null;
                by: {
                    type: string;
                    id: string;
                };
                /** @description ISO 8601 */
                at: string;
            } | null;
        };
        ReviewFinding: {
            id: string;
            campaignId: string;
            itemId: string;
            principal: {
                type: string;
                id: string;
            };
            action: string;
            environment: string | null;
            dagIds: string[] | null;
            /** @description What gave the access: fix it there (the IdP group, the policy, the grant) */
            source: components["schemas"]["ReviewWhy"];
            /**
             * @description `open`: the access is suspended; `resolved`: policy and the directory no longer grant it
             * @enum {string}
             */
            state: "open" | "resolved";
            /** @description ISO 8601 */
            createdAt: string;
            resolvedAt: string | null;
            resolution: string | null;
        };
        CampaignAnswer: {
            campaign: components["schemas"]["Campaign"];
        };
        CampaignList: {
            campaigns: components["schemas"]["Campaign"][];
        };
        ReviewItemList: {
            items: components["schemas"]["ReviewItem"][];
        };
        ReviewDecisionAnswer: {
            items: components["schemas"]["ReviewItem"][];
            campaign: components["schemas"]["Campaign"];
        };
        ReviewFindingList: {
            findings: components["schemas"]["ReviewFinding"][];
        };
        ManagedEnvironmentView: {
            name: string;
            /** @enum {string} */
            kind: "airflow3" | "airflow2";
            url: string;
            publicUrl: string | null;
            zone: string;
            tier: string;
            team: string | null;
            fullyGoverned: boolean;
            /** @description The secret Conductor reaches this Airflow with, and its kind. The value never appears in config. */
            credentials: {
                /** @description The name of a provider in `secrets.providers`. */
                provider: string;
                /** @description The secret's name inside that provider. */
                secret: string;
                /**
                 * @description How the secret is used. `airflow-token` (default for airflow3): `{"username", "password"}` exchanged at Airflow 3's `POST /auth/token` for a JWT, refreshed before it expires. `basic` (default for airflow2): `{"username", "password"}` sent as HTTP basic auth. `bearer`: a static API token (e.g. an Astro deployment API token), the secret's whole value or JSON `{"token": …}`, re-read when Airflow refuses it. `conductor-identity` (Airflow 3 trusting Conductor's JWKS): governed actions are sent as the person with a Conductor-signed token (`identity.airflowTokens`); catalog sync and reads keep the service account, whose secret is this one, used as `serviceAccountKind` says.
                 * @enum {string}
                 */
                kind?: "basic" | "airflow-token" | "bearer" | "conductor-identity";
                /**
                 * @description With `conductor-identity`: how the service account's secret is used (default: `airflow-token`). `conductor-signed`: no Airflow password at all; Conductor signs its own short-lived tokens as `serviceAccount` (for an Airflow running the Conductor auth manager, which asks Conductor's policy about it like anyone else: the demo policy lets it read DAGs, runs and logs).
                 * @enum {string}
                 */
                serviceAccountKind?: "basic" | "airflow-token" | "bearer" | "conductor-signed";
                /** @description With `serviceAccountKind: conductor-signed`: Conductor's own name in Airflow (the tokens' `sub`, a `ServiceAccount` in group `conductor-service`; default `conductor`). */
                serviceAccount?: string;
                /** @description With `conductor-identity`: the `aud` of per-person tokens, Airflow's `[api_auth] jwt_audience` (default `apache-airflow`). */
                audience?: string;
                /** @description With `conductor-identity`: the `role` claim of per-person tokens, which Airflow's SimpleAuthManager reads (default `USER`: may read everything and trigger, rerun and pause DAGs, no more); other auth managers may ignore it. */
                role?: string;
            };
            timeoutMs: number;
            retries: number;
            /** @constant */
            source: "api";
            /** @description 1 at creation, one more at each change */
            generation: number;
            createdBy: string;
            /** @description ISO 8601 */
            createdAt: string;
            updatedBy: string;
            /** @description ISO 8601 */
            updatedAt: string;
        };
        ManagedEnvironmentAnswer: {
            environment: components["schemas"]["ManagedEnvironmentView"];
        };
        /** @description An Airflow human-in-the-loop task waiting for an answer. */
        HitlTaskView: {
            environment: string;
            dagId: string;
            runId: string;
            taskId: string;
            /** @description -1 for unmapped tasks. */
            mapIndex: number;
            subject: string;
            /** @description Markdown; null when the task gives none. */
            body: string | null;
            options: string[];
            /** @description Whether more than one option may be chosen. */
            multiple: boolean;
            /** @description Form fields to fill in, by name: `{ value, schema, description }` like DAG params. */
            params: {
                [key: string]: unknown;
            };
            /** @description The options Airflow takes when the task times out; null when none. */
            defaults: string[] | null;
            /** @description When the task began waiting (ISO 8601). */
            createdAt: string;
            /** @description The only user ids Airflow lets answer; empty when anyone policy allows may. */
            assignedUsers: string[];
        };
        HitlInbox: {
            tasks: components["schemas"]["HitlTaskView"][];
            /** @description Environments that could not be asked; their tasks are missing. */
            unavailable: {
                environment: string;
                code: string;
            }[];
        };
        HitlAnswered: {
            task: {
                environment: string;
                dagId: string;
                runId: string;
                taskId: string;
                /** @description -1 for unmapped tasks. */
                mapIndex: number;
                subject: string;
                /** @description Markdown; null when the task gives none. */
                body: string | null;
                options: string[];
                /** @description Whether more than one option may be chosen. */
                multiple: boolean;
                /** @description Form fields to fill in, by name: `{ value, schema, description }` like DAG params. */
                params: {
                    [key: string]: unknown;
                };
                /** @description The options Airflow takes when the task times out; null when none. */
                defaults: string[] | null;
                /** @description When the task began waiting (ISO 8601). */
                createdAt: string;
                /** @description The only user ids Airflow lets answer; empty when anyone policy allows may. */
                assignedUsers: string[];
                /** @description The principal who answered. */
                respondedBy: string;
                chosenOptions: string[];
            };
        };
        LineageReceived: {
            /** @description False when the same event (run id, type, time, job) was received before: nothing was done again. */
            stored: boolean;
            runId: string;
            environment: string;
            /** @description The request the event is joined to: its parent is Conductor's run for it, or its Airflow run is one that request created. */
            requestId: string | null;
            /** @description The `lineage.endpoints` it was put in the outbox for, with the `conductor` facet when joined. */
            forwardedTo: string[];
        };
        LineageConductorRun: {
            runId: string;
            namespace: string;
            name: string;
            outcome: string | null;
            startedAt: string;
            endedAt: string | null;
        };
        LineagePerson: {
            /** @description Who the request was for (an owned schedule or link: its owner). */
            principal: {
                type: string;
                id: string;
            };
            /** @description What the request did to the run: `dag:trigger` (started it) or `dag:rerun` (ran its tasks again). */
            action: string;
            /** @description The policies that allowed it. */
            policyIds: string[];
            /** @description Who approved it, and when (empty without approval). */
            approvals: {
                by: string;
                at: string;
            }[];
            reason: string | null;
            /** @description The door: `api` (API, console, CLI, proxy), `mcp`, `schedule`, `link`, … */
            via: string;
            /** @description The MCP tool, when `via` is `mcp`. */
            tool: string | null;
            groups: string[];
            decision: string;
        };
        RequestLineage: {
            /** @description True when the environment has lineage (an entry of `lineage.endpoints` takes it, or `lineage.environments` names it). */
            enabled: boolean;
            /** @description The request that started the run; null for a run not started through Conductor. */
            requestId: string | null;
            /** @description Conductor's own OpenLineage run for the request: the parent of the events Airflow emits for its run. */
            run: components["schemas"]["LineageConductorRun"] | null;
            /** @description The `conductor` facet of Conductor's run: who started it, through which policy, approved by whom; null without Conductor's run. */
            startedBy: components["schemas"]["LineagePerson"] | null;
            /** @description A run's lineage: its reruns through Conductor, oldest first, each with who asked and through which policy; the task events after a rerun are joined to it. A request's lineage: empty. */
            reruns: {
                requestId: string;
                run: components["schemas"]["LineageConductorRun"];
                by: components["schemas"]["LineagePerson"];
            }[];
            events: {
                id: string;
                source: string;
                eventType: string | null;
                eventTime: string;
                runId: string;
                parentRunId: string | null;
                job: {
                    namespace: string;
                    name: string;
                };
            }[];
            /** @description Airflow's jobs (its tasks, and the DAG run) in the order first seen, with the datasets each read and wrote. */
            tasks: {
                /** @description The OpenLineage job: `dag_id.task_id` for a task, the DAG id for the DAG run. */
                job: string;
                /** @description The task id, when the job is a task of the request's DAG. */
                task: string | null;
                runId: string;
                /** @description The request its newest event is joined to: the trigger, or a rerun of the run through Conductor (see `reruns`). */
                requestId: string | null;
                /** @description The type of its newest event (START, RUNNING, COMPLETE, FAIL, ABORT, OTHER). */
                eventType: string | null;
                firstEventAt: string;
                lastEventAt: string;
                inputs: {
                    namespace: string;
                    name: string;
                }[];
                outputs: {
                    namespace: string;
                    name: string;
                }[];
            }[];
            datasets: {
                inputs: {
                    namespace: string;
                    name: string;
                }[];
                outputs: {
                    namespace: string;
                    name: string;
                }[];
            };
        };
        LineageDatasetList: {
            datasets: {
                namespace: string;
                name: string;
                /** @description The tags the newest event naming it gave it (its `tags` dataset facet). */
                tags: string[];
                /** @description The newest write; null when it was only read. */
                lastWrittenAt: string | null;
                lastSeenAt: string;
                writes: number;
            }[];
            /** @description Pass as `cursor` for the next page; null on the last. */
            nextCursor: string | null;
            /** @description The environments whose lineage you may read (`lineage:read`); only their events count. */
            environments: string[];
        };
        LineageDatasetUse: {
            eventTime: string;
            environment: string;
            dagId: string | null;
            /** @description The Airflow run (the event's `airflowDagRun` facet, else the run the joined request created). */
            airflowRunId: string | null;
            /** @description The event's job: for Airflow, the task (`dag_id.task_id`). */
            job: string;
            eventType: string | null;
            requestId: string | null;
            /** @description The person behind the run (the joined request's `conductor` facet); null: not started through Conductor. */
            startedBy: {
                /** @description Who the request was for (an owned schedule or link: its owner). */
                principal: {
                    type: string;
                    id: string;
                };
                /** @description What the request did to the run: `dag:trigger` (started it) or `dag:rerun` (ran its tasks again). */
                action: string;
                /** @description The policies that allowed it. */
                policyIds: string[];
                /** @description Who approved it, and when (empty without approval). */
                approvals: {
                    by: string;
                    at: string;
                }[];
                reason: string | null;
                /** @description The door: `api` (API, console, CLI, proxy), `mcp`, `schedule`, `link`, … */
                via: string;
                /** @description The MCP tool, when `via` is `mcp`. */
                tool: string | null;
            } | null;
        };
        LineageDataset: {
            namespace: string;
            name: string;
            tags: string[];
            /** @description The events that wrote it, newest first. */
            writes: components["schemas"]["LineageDatasetUse"][];
            /** @description Pass as `cursor` for the next page of writes; null on the last. */
            nextCursor: string | null;
            /** @description The newest events that read it (at most 20). */
            reads: components["schemas"]["LineageDatasetUse"][];
        };
        /** @description A JSON Web Key Set (RFC 7517). */
        AirflowJwks: {
            keys: ({
                /** @description `EC` or `RSA` for Conductor's keys; whatever the extra keys are (Airflow's own: `RSA` or `OKP`). */
                kty: string;
                /** @description Conductor's keys: the RFC 7638 thumbprint; extra keys: as configured (Airflow's `[api_auth] jwt_kid`). */
                kid: string;
                alg?: string;
                use?: string;
            } & {
                [key: string]: unknown;
            })[];
        };
        TokenExchangeResponse: {
            /** @description A Conductor exchanged token (`cdx_…`), sent as `Authorization: Bearer` */
            access_token: string;
            /** @constant */
            issued_token_type: "urn:ietf:params:oauth:token-type:access_token";
            /** @constant */
            token_type: "Bearer";
            /** @description Seconds; never past the subject credential's own expiry */
            expires_in: number;
            /** @description The actions the token is limited to, when `scope` narrowed it */
            scope?: string;
        };
        /** @description RFC 6749 §5.2 error (not the API's usual error body). */
        OAuthError: {
            /** @enum {string} */
            error: "invalid_request" | "invalid_grant" | "unsupported_grant_type" | "invalid_target" | "invalid_scope" | "temporarily_unavailable" | "server_error";
            error_description: string;
            /** @description Conductor extension: the parameter that was wrong */
            error_field?: string;
            /** @description Conductor extension: the stable code of docs/errors.md (e.g. `token_expired`) */
            error_code?: string;
        };
        AuthorizationServerMetadata: {
            issuer: string;
            token_endpoint: string;
            grant_types_supported: string[];
            token_endpoint_auth_methods_supported: string[];
            conductor_subject_token_types_supported: string[];
            /** @description What AWS callers sign into the X-Conductor-Server-Id header */
            conductor_aws_server_id?: string;
            conductor_aws_sts_endpoint?: string;
            conductor_aws_region?: string;
        };
        TrustRuleView: {
            id: string;
            serviceAccount: string;
            /** @description A workload issuer's name (`identity.workloadIssuers`) or `aws` */
            issuer: string;
            /** @description Claim path → glob (`*` matches any run of characters; anchored) */
            conditions: {
                [key: string]: string;
            };
            description: string;
            /** @description ISO 8601 */
            createdAt: string;
            createdBy: string;
        };
        TrustRuleAnswer: {
            trust: components["schemas"]["TrustRuleView"];
        };
        EnvironmentStatus: {
            name: string;
            /** @description `airflow3` or `airflow2`. */
            kind: string;
            /** @description At the last catalog sync; null before the first. */
            reachable: boolean | null;
            airflowVersion: string | null;
            dagCount: number | null;
            /** @description The last successful catalog sync. */
            lastSyncAt: string | null;
            /** @description Seconds since `lastSyncAt`; null when never synced. */
            syncAgeSeconds: number | null;
            /** @description Why the last sync or health check failed; null when it succeeded. */
            lastError: string | null;
            /** @description This replica's circuit breaker for the environment; null when unguarded. */
            circuit: ("closed" | "open" | "half-open") | null;
            /** @description Calls this replica held back (`orchestrator_throttled`) since it started, reads and writes. */
            throttled: number | null;
            /** @description The environment's credentials secret. `ok: false, stale: false` makes the environment unhealthy: Conductor cannot reach it until the provider recovers. */
            credentials: {
                /** @description The secrets provider the environment's credentials come from. */
                provider: string;
                secret: string;
                /** @description Whether the last read of the secret succeeded. */
                ok: boolean;
                /** @description The provider is failing but the last good value is still used (within its `maxStaleSeconds`). */
                stale: boolean;
                version: string | null;
                /** @description Why reading the secret fails; names the provider, never the value. */
                error: string | null;
            } | null;
        };
        ReplicaStatus: {
            id: string;
            lastSeenAt: string | null;
            /** @description The background work this replica runs now (catalog sync, reconciliation, …). */
            leases: string[];
        };
        AuditSinkStatus: {
            name: string;
            /** @enum {string} */
            type: "syslog" | "http" | "otlp";
            /** @description The last audit seq the sink accepted (0: none yet); null before its loop first ran. */
            cursor: number | null;
            /** @description Audit events appended and not yet accepted by the sink. */
            lagEvents: number;
            /** @description Age of the oldest event not yet accepted, in seconds; 0 when caught up. */
            lagSeconds: number;
            /** @description When the last accepted event was appended. */
            deliveredAt: string | null;
            /** @description Consecutive failed attempts; 0 after a success. */
            failures: number;
            /** @description Why the last attempt failed (kept after a later success); never a secret. */
            lastError: string | null;
            lastErrorAt: string | null;
        };
        StatusView: {
            version: string;
            /** @description ISO 8601 */
            startedAt: string;
            uptimeSeconds: number;
            database: {
                /** @enum {string} */
                kind: "sqlite" | "postgres";
                ready: boolean;
                /** @description Why it is not ready (audit:read only; null otherwise). */
                error: string | null;
            };
            policy: {
                version: number;
                policyCount: number;
                /** @description The last refused reload (audit:read only; null otherwise). */
                lastReloadError: {
                    [key: string]: unknown;
                } | null;
            };
            /** @description Whether the caller may read the details (`audit:read`): environments, SCIM, replicas and errors. */
            detailed: boolean;
            /** @description Every configured environment; null without audit:read. */
            environments: components["schemas"]["EnvironmentStatus"][] | null;
            /** @description Null without audit:read. */
            scim: {
                enabled: boolean;
            } | null;
            /** @description The replicas sharing the database, when known; null without audit:read or when this deployment does not track them. */
            replicas: components["schemas"]["ReplicaStatus"][] | null;
            /** @description Each audit sink (`audit.sinks`) with its cursor, lag and last error; null without audit:read. */
            auditSinks: components["schemas"]["AuditSinkStatus"][] | null;
        };
        SecretStatus: {
            /** @description The secrets provider's name in `secrets.providers`. */
            provider: string;
            /** @description `file`, `vault` or `aws`. */
            type: string;
            /** @description The secret's name inside the provider (never its value). */
            secret: string;
            /** @description What uses it, e.g. `environment prod-eu`, `webhook ops`. */
            usedBy: string;
            /** @description The version held: Vault's KV version, AWS's VersionId, a file's modification time. */
            version: string | null;
            /** @description ISO 8601: when the value held was read from the provider; null when it never was. */
            fetchedAt: string | null;
            /** @description Seconds since `fetchedAt`. */
            ageSeconds: number | null;
            /** @description Whether the last read succeeded. */
            ok: boolean;
            /** @description The last read failed but the last good value is still used (within the provider's `maxStaleSeconds`). */
            stale: boolean;
            /** @description Why the last read failed; never holds a value. */
            error: string | null;
            errorCode: string | null;
        };
        TrustRuleList: {
            trusts: components["schemas"]["TrustRuleView"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type BudgetInput = components['schemas']['BudgetInput'];
export type TokenExchangeRequestInput = components['schemas']['TokenExchangeRequestInput'];
export type ErrorBody = components['schemas']['ErrorBody'];
export type Me = components['schemas']['Me'];
export type ProtectionStatus = components['schemas']['ProtectionStatus'];
export type EnvironmentView = components['schemas']['EnvironmentView'];
export type EnvironmentList = components['schemas']['EnvironmentList'];
export type DagParam = components['schemas']['DagParam'];
export type Permission = components['schemas']['Permission'];
export type DagView = components['schemas']['DagView'];
export type DagList = components['schemas']['DagList'];
export type AccessView = components['schemas']['AccessView'];
export type StartedBy = components['schemas']['StartedBy'];
export type RunView = components['schemas']['RunView'];
export type RunList = components['schemas']['RunList'];
export type TaskInstance = components['schemas']['TaskInstance'];
export type RunDetail = components['schemas']['RunDetail'];
export type RequestView = components['schemas']['RequestView'];
export type RequestEvent = components['schemas']['RequestEvent'];
export type RequestEvents = components['schemas']['RequestEvents'];
export type RequestList = components['schemas']['RequestList'];
export type TriggerResult = components['schemas']['TriggerResult'];
export type PendingResult = components['schemas']['PendingResult'];
export type RerunResult = components['schemas']['RerunResult'];
export type PauseResult = components['schemas']['PauseResult'];
export type TaskLogPage = components['schemas']['TaskLogPage'];
export type Explanation = components['schemas']['Explanation'];
export type AuditEvent = components['schemas']['AuditEvent'];
export type AuditPage = components['schemas']['AuditPage'];
export type ShadowItem = components['schemas']['ShadowItem'];
export type ShadowList = components['schemas']['ShadowList'];
export type AuditVerifyResult = components['schemas']['AuditVerifyResult'];
export type AuditCheckpoint = components['schemas']['AuditCheckpoint'];
export type AuditCheckpointList = components['schemas']['AuditCheckpointList'];
export type AuditCheckpointTaken = components['schemas']['AuditCheckpointTaken'];
export type PolicyErrorLocation = components['schemas']['PolicyErrorLocation'];
export type PolicySetView = components['schemas']['PolicySetView'];
export type PolicyImpactView = components['schemas']['PolicyImpactView'];
export type ReconciliationReport = components['schemas']['ReconciliationReport'];
export type Session = components['schemas']['Session'];
export type CliConfig = components['schemas']['CliConfig'];
export type LogoutResult = components['schemas']['LogoutResult'];
export type OidcError = components['schemas']['OidcError'];
export type GrantView = components['schemas']['GrantView'];
export type GrantAnswer = components['schemas']['GrantAnswer'];
export type GrantList = components['schemas']['GrantList'];
export type GrantPending = components['schemas']['GrantPending'];
export type ServiceAccount = components['schemas']['ServiceAccount'];
export type CredentialScope = components['schemas']['CredentialScope'];
export type AccessToken = components['schemas']['AccessToken'];
export type ServiceAccountAnswer = components['schemas']['ServiceAccountAnswer'];
export type ServiceAccountList = components['schemas']['ServiceAccountList'];
export type AccessTokenList = components['schemas']['AccessTokenList'];
export type AccessTokenCreated = components['schemas']['AccessTokenCreated'];
export type AccessTokenAnswer = components['schemas']['AccessTokenAnswer'];
export type ScheduleView = components['schemas']['ScheduleView'];
export type ScheduleAnswer = components['schemas']['ScheduleAnswer'];
export type ScheduleList = components['schemas']['ScheduleList'];
export type ScheduledDag = components['schemas']['ScheduledDag'];
export type ScheduleFindings = components['schemas']['ScheduleFindings'];
export type LinkFiring = components['schemas']['LinkFiring'];
export type LinkEnd = components['schemas']['LinkEnd'];
export type LinkView = components['schemas']['LinkView'];
export type LinkAnswer = components['schemas']['LinkAnswer'];
export type LinkList = components['schemas']['LinkList'];
export type LinkFiringList = components['schemas']['LinkFiringList'];
export type ReviewWhy = components['schemas']['ReviewWhy'];
export type ReviewScope = components['schemas']['ReviewScope'];
export type Campaign = components['schemas']['Campaign'];
export type ReviewItem = components['schemas']['ReviewItem'];
export type ReviewFinding = components['schemas']['ReviewFinding'];
export type CampaignAnswer = components['schemas']['CampaignAnswer'];
export type CampaignList = components['schemas']['CampaignList'];
export type ReviewItemList = components['schemas']['ReviewItemList'];
export type ReviewDecisionAnswer = components['schemas']['ReviewDecisionAnswer'];
export type ReviewFindingList = components['schemas']['ReviewFindingList'];
export type ManagedEnvironmentView = components['schemas']['ManagedEnvironmentView'];
export type ManagedEnvironmentAnswer = components['schemas']['ManagedEnvironmentAnswer'];
export type HitlTaskView = components['schemas']['HitlTaskView'];
export type HitlInbox = components['schemas']['HitlInbox'];
export type HitlAnswered = components['schemas']['HitlAnswered'];
export type LineageReceived = components['schemas']['LineageReceived'];
export type LineageConductorRun = components['schemas']['LineageConductorRun'];
export type LineagePerson = components['schemas']['LineagePerson'];
export type RequestLineage = components['schemas']['RequestLineage'];
export type LineageDatasetList = components['schemas']['LineageDatasetList'];
export type LineageDatasetUse = components['schemas']['LineageDatasetUse'];
export type LineageDataset = components['schemas']['LineageDataset'];
export type AirflowJwks = components['schemas']['AirflowJwks'];
export type TokenExchangeResponse = components['schemas']['TokenExchangeResponse'];
export type OAuthError = components['schemas']['OAuthError'];
export type AuthorizationServerMetadata = components['schemas']['AuthorizationServerMetadata'];
export type TrustRuleView = components['schemas']['TrustRuleView'];
export type TrustRuleAnswer = components['schemas']['TrustRuleAnswer'];
export type EnvironmentStatus = components['schemas']['EnvironmentStatus'];
export type ReplicaStatus = components['schemas']['ReplicaStatus'];
export type AuditSinkStatus = components['schemas']['AuditSinkStatus'];
export type StatusView = components['schemas']['StatusView'];
export type SecretStatus = components['schemas']['SecretStatus'];
export type TrustRuleList = components['schemas']['TrustRuleList'];
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
