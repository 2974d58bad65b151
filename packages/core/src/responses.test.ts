import { describe, expect, it } from 'vitest'
import { isSluiceConfigError, type GatewayResponseType } from './errors.js'
import { Exchange } from './exchange.js'
import { createRequest, type RequestInit } from './request.js'
import { BUILT_IN_RESPONSES, GATEWAY_RESPONSE_TYPES, GatewayResponses, type GatewayResponsesOptions } from './responses.js'
import { createGateway } from './gateway.js'

const NOW = Date.UTC(2026, 10, 21, 23, 54, 45)

function exchangeOf(init: RequestInit = {}, stageVariables: Record<string, string> = {}): Exchange {
  return new Exchange({ request: createRequest(init), requestId: 'req-1', now: NOW, stage: 'prod', stageVariables })
}

/** Catches the error a function throws (fails the test if it throws nothing). */
function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected the call to throw')
}

function expectConfigError(fn: () => unknown, option: string, messagePart?: string): void {
  const e = caught(fn)
  expect(isSluiceConfigError(e)).toBe(true)
  if (!isSluiceConfigError(e)) return
  expect(e.code).toBe('ERR_INVALID_GATEWAY_RESPONSE')
  expect(e.option).toBe(option)
  expect(e.message.startsWith(`${option}: `)).toBe(true)
  expect(e.message.endsWith('(ERR_INVALID_GATEWAY_RESPONSE)')).toBe(true)
  if (messagePart !== undefined) expect(e.message).toContain(messagePart)
}

const plain = (headers: Readonly<Record<string, string>>): Record<string, string> => ({ ...headers })

const SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

/** AWS's defaults, written out (not derived from the table under test). */
const DEFAULTS: ReadonlyArray<readonly [GatewayResponseType, number, string | null, string]> = [
  ['ACCESS_DENIED', 403, 'AccessDeniedException', '{"Message":"User is not authorized to access this resource"}'],
  ['API_CONFIGURATION_ERROR', 500, 'ApiConfigurationException', '{"message":"Internal server error"}'],
  ['AUTHORIZER_CONFIGURATION_ERROR', 500, 'AuthorizerConfigurationException', '{"message":null}'],
  ['AUTHORIZER_FAILURE', 500, 'AuthorizerFailureException', '{"message":null}'],
  ['BAD_REQUEST_PARAMETERS', 400, 'BadRequestException', '{"message":"Missing required request parameters"}'],
  ['BAD_REQUEST_BODY', 400, 'BadRequestException', '{"message":"Invalid request body"}'],
  ['DEFAULT_4XX', 400, null, '{"message":null}'],
  ['DEFAULT_5XX', 500, null, '{"message":null}'],
  ['EXPIRED_TOKEN', 403, 'ExpiredTokenException', '{"message":"The security token included in the request is expired"}'],
  ['INTEGRATION_FAILURE', 504, 'InternalServerErrorException', '{"message":"Internal server error"}'],
  ['INTEGRATION_TIMEOUT', 504, 'InternalServerErrorException', '{"message":"Endpoint request timed out"}'],
  ['INVALID_API_KEY', 403, 'ForbiddenException', '{"message":"Forbidden"}'],
  ['INVALID_SIGNATURE', 403, 'InvalidSignatureException', JSON.stringify({ message: SIGNATURE_MESSAGE })],
  ['MISSING_AUTHENTICATION_TOKEN', 403, 'MissingAuthenticationTokenException', '{"message":"Missing Authentication Token"}'],
  ['QUOTA_EXCEEDED', 429, 'LimitExceededException', '{"message":"Limit Exceeded"}'],
  ['REQUEST_TOO_LARGE', 413, 'RequestTooLargeException', '{"message":"Request Too Long"}'],
  ['RESOURCE_NOT_FOUND', 404, 'NotFoundException', '{"message":"Not Found"}'],
  ['THROTTLED', 429, 'TooManyRequestsException', '{"message":"Too Many Requests"}'],
  ['UNAUTHORIZED', 401, 'UnauthorizedException', '{"message":"Unauthorized"}'],
  ['UNSUPPORTED_MEDIA_TYPE', 415, 'BadRequestException', '{"message":"Unsupported Media Type"}'],
  ['WAF_FILTERED', 403, 'WafFilteredException', '{"message":"Forbidden"}'],
]

describe('GatewayResponses defaults', () => {
  it('covers all 21 gateway response types', () => {
    expect(GATEWAY_RESPONSE_TYPES).toHaveLength(21)
    expect([...GATEWAY_RESPONSE_TYPES].sort()).toEqual(DEFAULTS.map((d) => d[0]).sort())
    expect(Object.isFrozen(BUILT_IN_RESPONSES)).toBe(true)
  })

  it.each(DEFAULTS)('%s renders %i with AWS headers and body', (type, status, errorType, body) => {
    const responses = new GatewayResponses()
    const ex = exchangeOf()
    const r = responses.render(type, ex)
    expect(r.status).toBe(status)
    expect(r.body).toBe(body)
    const expected: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1' }
    if (errorType !== null) expected['x-amzn-errortype'] = errorType
    expect(plain(r.headers)).toEqual(expected)
    expect(responses.statusOf(type)).toBe(status)
    // the body is valid JSON
    expect(() => JSON.parse(r.body as string) as unknown).not.toThrow()
  })

  it('sets $context.error and marks the request id as sent', () => {
    const responses = new GatewayResponses()
    const ex = exchangeOf()
    expect(ex.requestIdSent).toBe(false)
    responses.render('THROTTLED', ex)
    expect(ex.requestIdSent).toBe(true)
    expect(ex.context.error).toEqual({ message: 'Too Many Requests', messageString: '"Too Many Requests"', responseType: 'THROTTLED' })
  })

  it('replaces the default message, JSON-escaping it, and renders null', () => {
    const responses = new GatewayResponses()
    expect(responses.render('BAD_REQUEST_PARAMETERS', exchangeOf(), 'Missing required request parameters: [a, "b"]').body).toBe(
      '{"message":"Missing required request parameters: [a, \\"b\\"]"}',
    )
    expect(responses.render('INVALID_API_KEY', exchangeOf(), null).body).toBe('{"message":null}')
    expect(responses.render('ACCESS_DENIED', exchangeOf(), 'User is not authorized to access this resource with an explicit deny').body).toBe(
      '{"Message":"User is not authorized to access this resource with an explicit deny"}',
    )
    expect(responses.render('AUTHORIZER_CONFIGURATION_ERROR', exchangeOf(), 'x\ny').body).toBe('{"message":"x\\ny"}')
  })

  it('adds extra headers, but never lets them replace x-amzn-requestid', () => {
    const responses = new GatewayResponses()
    const r = responses.render('THROTTLED', exchangeOf(), undefined, { 'retry-after': '1', 'x-amzn-requestid': 'forged' })
    expect(plain(r.headers)).toEqual({
      'content-type': 'application/json',
      'x-amzn-errortype': 'TooManyRequestsException',
      'retry-after': '1',
      'x-amzn-requestid': 'req-1',
    })
  })
})

describe('GatewayResponses customisation', () => {
  it('changes the status code (a number, or a string as AWS writes it)', () => {
    const responses = new GatewayResponses({ INVALID_API_KEY: { statusCode: 401 }, THROTTLED: { statusCode: '503' as unknown as number } })
    const r = responses.render('INVALID_API_KEY', exchangeOf())
    expect(r.status).toBe(401)
    expect(r.body).toBe('{"message":"Forbidden"}')
    expect(r.headers['x-amzn-errortype']).toBe('ForbiddenException')
    expect(responses.statusOf('THROTTLED')).toBe(503)
    expect(responses.render('THROTTLED', exchangeOf()).status).toBe(503)
    // other types are untouched
    expect(responses.statusOf('UNAUTHORIZED')).toBe(401)
    expect(responses.statusOf('ACCESS_DENIED')).toBe(403)
  })

  it('maps headers from static values, request headers, query, path, context and stage variables', () => {
    const responses = new GatewayResponses({
      INVALID_API_KEY: {
        responseParameters: {
          'gatewayresponse.header.X-Reason': "'bad-key'",
          'gatewayresponse.header.x-empty': "''",
          'gatewayresponse.header.x-trace': 'method.request.header.X-Trace-Id',
          'gatewayresponse.header.x-q': 'method.request.querystring.q',
          'gatewayresponse.header.x-id': 'method.request.path.id',
          'gatewayresponse.header.x-request': 'context.requestId',
          'gatewayresponse.header.x-ip': 'context.identity.sourceIp',
          'gatewayresponse.header.x-type': 'context.error.responseType',
          'gatewayresponse.header.x-epoch': 'context.requestTimeEpoch',
          'gatewayresponse.header.x-env': 'stageVariables.env',
          'gatewayresponse.header.x-missing-header': 'method.request.header.absent',
          'gatewayresponse.header.x-missing-query': 'method.request.querystring.absent',
          'gatewayresponse.header.x-missing-path': 'method.request.path.absent',
          'gatewayresponse.header.x-missing-context': 'context.nothing.here',
          'gatewayresponse.header.x-missing-stage': 'stageVariables.absent',
        },
      },
    })
    const ex = exchangeOf({ url: '/pets/7?q=a%20b&q=second', headers: { 'x-trace-id': 'T-1' }, ip: '203.0.113.9', params: { id: '7' } }, { env: 'blue' })
    const r = responses.render('INVALID_API_KEY', ex)
    expect(plain(r.headers)).toEqual({
      'content-type': 'application/json',
      'x-amzn-errortype': 'ForbiddenException',
      'x-reason': 'bad-key',
      'x-empty': '',
      'x-trace': 'T-1',
      'x-q': 'a b',
      'x-id': '7',
      'x-request': 'req-1',
      'x-ip': '203.0.113.9',
      'x-type': 'INVALID_API_KEY',
      'x-epoch': String(NOW),
      'x-env': 'blue',
      'x-amzn-requestid': 'req-1',
    })
  })

  it('lets a configured header replace content-type but not x-amzn-requestid', () => {
    const responses = new GatewayResponses({
      THROTTLED: {
        responseParameters: { 'gatewayresponse.header.content-type': "'text/plain'", 'gatewayresponse.header.x-amzn-requestid': "'forged'" },
      },
    })
    const r = responses.render('THROTTLED', exchangeOf())
    expect(r.headers['content-type']).toBe('text/plain')
    expect(r.headers['x-amzn-requestid']).toBe('req-1')
  })

  it('renders templates substituting $context.*, ${context.x} and $stageVariables.*', () => {
    const responses = new GatewayResponses({
      INVALID_API_KEY: {
        statusCode: 401,
        responseTemplates: {
          'application/json':
            '{"error":$context.error.messageString,"raw":"$context.error.message","type":"${context.error.responseType}","id":"$context.requestId","stage":"$context.stage","env":"$stageVariables.env","env2":"${stageVariables.env}","time":"$context.requestTime","missing":"$context.nope$stageVariables.nope"}',
        },
      },
    })
    const r = responses.render('INVALID_API_KEY', exchangeOf({}, { env: 'blue' }))
    expect(r.status).toBe(401)
    expect(r.headers['content-type']).toBe('application/json')
    expect(r.body).toBe(
      '{"error":"Forbidden","raw":"Forbidden","type":"INVALID_API_KEY","id":"req-1","stage":"prod","env":"blue","env2":"blue","time":"21/Nov/2026:23:54:45 +0000","missing":""}',
    )
  })

  it('uses a non-JSON template and its content type when it is the only one', () => {
    const responses = new GatewayResponses({ THROTTLED: { responseTemplates: { 'text/plain': 'slow down ($context.error.message)' } } })
    const r = responses.render('THROTTLED', exchangeOf())
    expect(r.headers['content-type']).toBe('text/plain')
    expect(r.body).toBe('slow down (Too Many Requests)')
  })

  it('prefers application/json among several templates', () => {
    const responses = new GatewayResponses({
      THROTTLED: { responseTemplates: { 'text/plain': 'plain', 'application/json': '{"j":1}', 'application/xml': '<x/>' } },
    })
    const r = responses.render('THROTTLED', exchangeOf())
    expect(r.headers['content-type']).toBe('application/json')
    expect(r.body).toBe('{"j":1}')
  })

  it('falls back to the default template when responseTemplates is empty', () => {
    const responses = new GatewayResponses({ ACCESS_DENIED: { statusCode: 401, responseTemplates: {} } })
    const r = responses.render('ACCESS_DENIED', exchangeOf())
    expect(r.status).toBe(401)
    expect(r.body).toBe('{"Message":"User is not authorized to access this resource"}')
  })

  it('treats an undefined entry as not configured', () => {
    const responses = new GatewayResponses({ THROTTLED: undefined, DEFAULT_4XX: { statusCode: 418 } } as unknown as GatewayResponsesOptions)
    expect(responses.statusOf('THROTTLED')).toBe(418)
  })

  it('accepts the same options through createGateway', () => {
    const gw = createGateway({ gatewayResponses: { INVALID_API_KEY: { statusCode: 401 } } })
    expect(gw.responses.statusOf('INVALID_API_KEY')).toBe(401)
  })
})

describe('DEFAULT_4XX / DEFAULT_5XX fallback', () => {
  const options: GatewayResponsesOptions = {
    DEFAULT_4XX: {
      statusCode: 418,
      responseParameters: { 'gatewayresponse.header.x-default': "'4xx'" },
      responseTemplates: { 'application/json': '{"d4":$context.error.messageString,"t":"$context.error.responseType"}' },
    },
    INVALID_API_KEY: { responseParameters: { 'gatewayresponse.header.x-key': "'k'" } },
  }

  it('gives an unconfigured 4xx type DEFAULT_4XX status, headers and template', () => {
    const r = new GatewayResponses(options).render('THROTTLED', exchangeOf())
    expect(r.status).toBe(418)
    expect(r.body).toBe('{"d4":"Too Many Requests","t":"THROTTLED"}')
    expect(plain(r.headers)).toEqual({
      'content-type': 'application/json',
      'x-amzn-errortype': 'TooManyRequestsException',
      'x-default': '4xx',
      'x-amzn-requestid': 'req-1',
    })
  })

  it('applies to every unconfigured 4xx type, including ACCESS_DENIED, and DEFAULT_4XX itself', () => {
    const responses = new GatewayResponses(options)
    for (const type of ['ACCESS_DENIED', 'BAD_REQUEST_BODY', 'UNAUTHORIZED', 'QUOTA_EXCEEDED', 'RESOURCE_NOT_FOUND', 'REQUEST_TOO_LARGE', 'DEFAULT_4XX'] as const) {
      expect(responses.statusOf(type)).toBe(418)
      expect(responses.render(type, exchangeOf()).headers['x-default']).toBe('4xx')
    }
    expect(responses.render('ACCESS_DENIED', exchangeOf()).body).toBe('{"d4":"User is not authorized to access this resource","t":"ACCESS_DENIED"}')
  })

  it('does not touch a configured 4xx type', () => {
    const r = new GatewayResponses(options).render('INVALID_API_KEY', exchangeOf())
    expect(r.status).toBe(403)
    expect(r.body).toBe('{"message":"Forbidden"}')
    expect(plain(r.headers)).toEqual({
      'content-type': 'application/json',
      'x-amzn-errortype': 'ForbiddenException',
      'x-key': 'k',
      'x-amzn-requestid': 'req-1',
    })
  })

  it('does not touch 5xx types', () => {
    const responses = new GatewayResponses(options)
    const r = responses.render('INTEGRATION_TIMEOUT', exchangeOf())
    expect(r.status).toBe(504)
    expect(r.body).toBe('{"message":"Endpoint request timed out"}')
    expect(r.headers['x-default']).toBeUndefined()
    expect(responses.statusOf('API_CONFIGURATION_ERROR')).toBe(500)
    expect(responses.statusOf('DEFAULT_5XX')).toBe(500)
  })

  it('keeps each type its own status when DEFAULT_4XX sets no status', () => {
    const responses = new GatewayResponses({ DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.x-default': "'yes'" } } })
    const t = responses.render('THROTTLED', exchangeOf())
    expect(t.status).toBe(429)
    expect(t.headers['x-default']).toBe('yes')
    expect(t.body).toBe('{"message":"Too Many Requests"}')
    expect(responses.render('ACCESS_DENIED', exchangeOf()).body).toBe('{"Message":"User is not authorized to access this resource"}')
    expect(responses.statusOf('UNAUTHORIZED')).toBe(401)
    expect(responses.statusOf('DEFAULT_4XX')).toBe(400)
  })

  it('gives 5xx types DEFAULT_5XX and leaves 4xx types alone', () => {
    const responses = new GatewayResponses({
      DEFAULT_5XX: { statusCode: 503, responseTemplates: { 'application/json': '{"oops":$context.error.messageString}' } },
      INTEGRATION_FAILURE: { statusCode: 502 },
    })
    const api = responses.render('API_CONFIGURATION_ERROR', exchangeOf())
    expect(api.status).toBe(503)
    expect(api.body).toBe('{"oops":"Internal server error"}')
    expect(api.headers['x-amzn-errortype']).toBe('ApiConfigurationException')
    expect(responses.statusOf('INTEGRATION_TIMEOUT')).toBe(503)
    expect(responses.statusOf('AUTHORIZER_FAILURE')).toBe(503)
    expect(responses.render('AUTHORIZER_CONFIGURATION_ERROR', exchangeOf()).body).toBe('{"oops":null}')
    expect(responses.statusOf('DEFAULT_5XX')).toBe(503)
    // a configured 5xx type keeps its own template
    const f = responses.render('INTEGRATION_FAILURE', exchangeOf())
    expect(f.status).toBe(502)
    expect(f.body).toBe('{"message":"Internal server error"}')
    // 4xx untouched
    expect(responses.statusOf('THROTTLED')).toBe(429)
    expect(responses.statusOf('DEFAULT_4XX')).toBe(400)
  })
})

describe('GatewayResponses construction errors', () => {
  it('refuses options that are not an object', () => {
    expectConfigError(() => new GatewayResponses(null as never), 'gatewayResponses')
    expectConfigError(() => new GatewayResponses('THROTTLED' as never), 'gatewayResponses')
  })

  it('refuses an unknown type, including Object.prototype names', () => {
    expectConfigError(() => new GatewayResponses({ NOPE: {} } as never), 'gatewayResponses.NOPE', 'unknown gateway response type')
    expectConfigError(() => new GatewayResponses({ throttled: {} } as never), 'gatewayResponses.throttled')
    expectConfigError(() => new GatewayResponses({ constructor: {} } as never), 'gatewayResponses.constructor', 'unknown gateway response type')
    expectConfigError(() => new GatewayResponses({ toString: { statusCode: 200 } } as never), 'gatewayResponses.toString', 'unknown gateway response type')
  })

  it('refuses a config that is not an object, and unknown fields', () => {
    expectConfigError(() => new GatewayResponses({ THROTTLED: null } as never), 'gatewayResponses.THROTTLED', 'must be an object')
    expectConfigError(() => new GatewayResponses({ THROTTLED: 429 } as never), 'gatewayResponses.THROTTLED')
    expectConfigError(() => new GatewayResponses({ THROTTLED: { status: 429 } } as never), 'gatewayResponses.THROTTLED.status', 'unknown field')
  })

  it.each([99, 600, 4.5, Number.NaN, 'abc', '', true, null])('refuses statusCode %s', (statusCode) => {
    expectConfigError(
      () => new GatewayResponses({ THROTTLED: { statusCode: statusCode as number } }),
      'gatewayResponses.THROTTLED.statusCode',
      'integer status code from 100 to 599',
    )
  })

  it('accepts the statusCode bounds 100 and 599', () => {
    const responses = new GatewayResponses({ THROTTLED: { statusCode: 100 }, UNAUTHORIZED: { statusCode: 599 } })
    expect(responses.statusOf('THROTTLED')).toBe(100)
    expect(responses.statusOf('UNAUTHORIZED')).toBe(599)
  })

  it.each(['header.x-a', 'gatewayresponse.header.', 'gatewayresponse.header.x a', 'gatewayresponse.header.x:a', 'GATEWAYRESPONSE.HEADER.x', 'method.response.header.x'])(
    'refuses the responseParameters key %j',
    (key) => {
      expectConfigError(
        () => new GatewayResponses({ THROTTLED: { responseParameters: { [key]: "'v'" } } }),
        `gatewayResponses.THROTTLED.responseParameters["${key}"]`,
        'gatewayresponse.header.NAME',
      )
    },
  )

  it.each(['static', 'method.request.body.x', 'method.request.header.', 'context.', 'context.a b', 'stageVariables.$x', "'unterminated", "'", 'integration.response.header.x'])(
    'refuses the mapping expression %j',
    (expr) => {
      expectConfigError(
        () => new GatewayResponses({ UNAUTHORIZED: { responseParameters: { 'gatewayresponse.header.x-a': expr } } }),
        'gatewayResponses.UNAUTHORIZED.responseParameters["gatewayresponse.header.x-a"]',
        'is not a mapping expression',
      )
    },
  )

  it('refuses a mapping expression that is not a string', () => {
    expectConfigError(
      () => new GatewayResponses({ UNAUTHORIZED: { responseParameters: { 'gatewayresponse.header.x-a': 42 as unknown as string } } }),
      'gatewayResponses.UNAUTHORIZED.responseParameters["gatewayresponse.header.x-a"]',
      'must be a string',
    )
  })

  it.each(["'a\r\nset-cookie: x=1'", "'a\nb'", "'a\rb'", "'a\0b'", 'method.request.header.x\r\nset-cookie'])('refuses CR, LF and NUL in %j at construction', (expr) => {
    expectConfigError(
      () => new GatewayResponses({ THROTTLED: { responseParameters: { 'gatewayresponse.header.x-a': expr } } }),
      'gatewayResponses.THROTTLED.responseParameters["gatewayresponse.header.x-a"]',
      'must not contain CR, LF or NUL',
    )
  })

  it('refuses bad response templates', () => {
    expectConfigError(
      () => new GatewayResponses({ THROTTLED: { responseTemplates: { 'application/json': 42 as unknown as string } } }),
      'gatewayResponses.THROTTLED.responseTemplates["application/json"]',
      'must be a string',
    )
    expectConfigError(() => new GatewayResponses({ THROTTLED: { responseTemplates: { json: '{}' } } }), 'gatewayResponses.THROTTLED.responseTemplates["json"]', 'content type')
    expectConfigError(
      () => new GatewayResponses({ THROTTLED: { responseTemplates: { 'application/json': 'x'.repeat(300 * 1024 + 1) } } }),
      'gatewayResponses.THROTTLED.responseTemplates["application/json"]',
      '300 KB',
    )
    // exactly 300 KB is fine
    expect(new GatewayResponses({ THROTTLED: { responseTemplates: { 'application/json': 'x'.repeat(300 * 1024) } } }).render('THROTTLED', exchangeOf()).body).toHaveLength(300 * 1024)
  })

  it('names the option path through createGateway', () => {
    const e = caught(() => createGateway({ gatewayResponses: { THROTTLED: { statusCode: 42 } } }))
    expect(isSluiceConfigError(e) && e.code).toBe('ERR_INVALID_GATEWAY_RESPONSE')
    expect((e as Error).message).toBe('gatewayResponses.THROTTLED.statusCode: must be an integer status code from 100 to 599 (ERR_INVALID_GATEWAY_RESPONSE)')
  })
})

describe('header injection from request values', () => {
  const noCrLf = (headers: Readonly<Record<string, string>>): void => {
    for (const [name, value] of Object.entries(headers)) {
      expect(name).not.toMatch(/[\r\n\0]/)
      expect(value).not.toMatch(/[\r\n\0]/)
    }
  }

  it('never lets a request header, query value, path parameter or context value split a response header', () => {
    const responses = new GatewayResponses({
      THROTTLED: {
        responseParameters: {
          'gatewayresponse.header.x-h': 'method.request.header.x-evil',
          'gatewayresponse.header.x-q': 'method.request.querystring.q',
          'gatewayresponse.header.x-p': 'method.request.path.p',
          'gatewayresponse.header.x-ua': 'context.identity.userAgent',
          'gatewayresponse.header.x-a': 'context.authorizer.claim',
        },
      },
    })
    const ex = exchangeOf({
      url: '/x?q=a%0D%0ASet-Cookie:%20s=1%00',
      headers: { 'x-evil': 'a\r\nSet-Cookie: s=1', 'user-agent': 'ua\nx-injected: 1' },
      params: { p: 'p\r\nx: 1' },
    })
    ex.context.authorizer['claim'] = 'c\r\nx-c: 1'
    const r = responses.render('THROTTLED', ex)
    noCrLf(r.headers)
    expect(r.headers['x-h']).toBe('a  Set-Cookie: s=1')
    expect(r.headers['x-q']).toBe('a  Set-Cookie: s=1 ')
    expect(r.headers['x-p']).toBe('p  x: 1')
    expect(r.headers['x-ua']).toBe('ua x-injected: 1')
    expect(r.headers['x-a']).toBe('c  x-c: 1')
    expect(r.headers['set-cookie']).toBeUndefined()
  })

  it('renders a context expression naming a function or prototype key as no header, without throwing', () => {
    const responses = new GatewayResponses({
      THROTTLED: {
        responseParameters: {
          'gatewayresponse.header.x-a': 'context.toString',
          'gatewayresponse.header.x-b': 'context.constructor',
          'gatewayresponse.header.x-c': 'context.toJSON',
          'gatewayresponse.header.x-d': 'stageVariables.hasOwnProperty',
        },
      },
    })
    const r = responses.render('THROTTLED', exchangeOf({}, { env: 'blue' }))
    expect(plain(r.headers)).toEqual({ 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException', 'x-amzn-requestid': 'req-1' })
  })
})

describe('a table over a fallback (a mounted API over its gateway)', () => {
  const gateway = new GatewayResponses({ INVALID_API_KEY: { statusCode: 401 }, INTEGRATION_TIMEOUT: { statusCode: 599 } })
  const api = new GatewayResponses({ THROTTLED: { statusCode: 503 }, DEFAULT_5XX: { responseParameters: { 'gatewayresponse.header.x-api': "'yes'" } } }, 'gatewayResponses', gateway)

  it("resolves type → the API's DEFAULT_4XX/5XX → the fallback's resolution", () => {
    expect(api.statusOf('THROTTLED')).toBe(503)
    // no 4XX customisation in the API: the gateway's INVALID_API_KEY, and the built-in for the rest
    expect(api.statusOf('INVALID_API_KEY')).toBe(401)
    expect(api.statusOf('UNAUTHORIZED')).toBe(401)
    expect(api.statusOf('MISSING_AUTHENTICATION_TOKEN')).toBe(403)
    // the API's DEFAULT_5XX covers its 5XX types: the gateway's INTEGRATION_TIMEOUT status no longer applies
    expect(api.statusOf('INTEGRATION_TIMEOUT')).toBe(504)
    const r = api.render('INTEGRATION_TIMEOUT', exchangeOf())
    expect(r.headers['x-api']).toBe('yes')
    expect(gateway.statusOf('INTEGRATION_TIMEOUT')).toBe(599)
  })

  it("the exchange's table renders whatever table is asked, and statusOf follows it", () => {
    const ex = exchangeOf()
    ex.gatewayResponses = api
    expect(gateway.render('THROTTLED', ex).status).toBe(503)
    expect(gateway.statusOf('THROTTLED', ex)).toBe(503)
    expect(gateway.statusOf('THROTTLED')).toBe(429)
    expect(gateway.render('THROTTLED', exchangeOf()).status).toBe(429)
  })
})
