import { describe, expect, it } from 'vitest'
import { extendedIdFrom, formatRequestTime } from './context.js'
import { Exchange } from './exchange.js'
import { createRequest } from './request.js'

describe('formatRequestTime', () => {
  it.each([
    [Date.UTC(2026, 10, 21, 23, 54, 45), '21/Nov/2026:23:54:45 +0000'],
    [Date.UTC(2026, 0, 2, 3, 4, 5), '02/Jan/2026:03:04:05 +0000'],
    [Date.UTC(1999, 11, 31, 23, 59, 59, 999), '31/Dec/1999:23:59:59 +0000'],
    [0, '01/Jan/1970:00:00:00 +0000'],
    [Date.UTC(2024, 1, 29, 12, 0, 0), '29/Feb/2024:12:00:00 +0000'],
  ])('formats %i as %j', (epoch, expected) => {
    expect(formatRequestTime(epoch)).toBe(expected)
  })

  it('names every month', () => {
    const months = Array.from({ length: 12 }, (_, m) => formatRequestTime(Date.UTC(2026, m, 10)).slice(3, 6))
    expect(months).toEqual(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'])
  })

  it('matches dd/MMM/yyyy:HH:mm:ss +0000 and is in UTC whatever the local zone', () => {
    const t = Date.UTC(2026, 6, 4, 0, 30, 0)
    expect(formatRequestTime(t)).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/)
    const tz = process.env['TZ']
    try {
      process.env['TZ'] = 'Pacific/Kiritimati'
      expect(formatRequestTime(t)).toBe('04/Jul/2026:00:30:00 +0000')
      process.env['TZ'] = 'America/Los_Angeles'
      expect(formatRequestTime(t)).toBe('04/Jul/2026:00:30:00 +0000')
    } finally {
      if (tz === undefined) delete process.env['TZ']
      else process.env['TZ'] = tz
    }
  })
})

describe('extendedIdFrom', () => {
  it('derives a short base64 id from the first 20 hex digits of a UUID', () => {
    expect(extendedIdFrom('0123abcd-4567-89ef-0123-456789abcdef')).toBe(Buffer.from('0123abcd456789ef0123', 'hex').toString('base64'))
    expect(extendedIdFrom('0123abcd-4567-89ef-0123-456789abcdef')).toBe('ASOrzUVnie8BIw==')
  })
})

describe('the exchange context', () => {
  it('exposes AWS $context fields and serialises them', () => {
    const now = Date.UTC(2026, 10, 21, 23, 54, 45)
    const ex = new Exchange({
      request: createRequest({ method: 'delete', url: '/pets/9?x=1', headers: { host: 'api.example.com', 'user-agent': 'curl/8' }, ip: '198.51.100.4' }),
      requestId: '0123abcd-4567-89ef-0123-456789abcdef',
      now,
      stage: 'prod',
      stageVariables: {},
    })
    const c = ex.context
    expect(c.requestTime).toBe('21/Nov/2026:23:54:45 +0000')
    expect(c.requestTimeEpoch).toBe(now)
    expect(c.httpMethod).toBe('DELETE')
    expect(c.path).toBe('/pets/9')
    expect(ex.query).toBe('x=1')
    expect(c.resourcePath).toBe('/pets/9')
    c.resourcePath = '/pets/{id}'
    expect(c.resourcePath).toBe('/pets/{id}')
    expect(c.domainName).toBe('api.example.com')
    expect(c.identity).toEqual({ sourceIp: '198.51.100.4', userAgent: 'curl/8' })
    expect(JSON.parse(JSON.stringify(c))).toEqual({
      requestId: '0123abcd-4567-89ef-0123-456789abcdef',
      extendedRequestId: 'ASOrzUVnie8BIw==',
      requestTime: '21/Nov/2026:23:54:45 +0000',
      requestTimeEpoch: now,
      httpMethod: 'DELETE',
      path: '/pets/9',
      resourcePath: '/pets/{id}',
      stage: 'prod',
      domainName: 'api.example.com',
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '198.51.100.4', userAgent: 'curl/8' },
      authorizer: {},
    })
  })

  it('reads an empty source ip and null user agent when the request has none', () => {
    const ex = new Exchange({ request: createRequest(), requestId: 'r', now: 0, stage: 's', stageVariables: {} })
    expect(ex.context.identity).toEqual({ sourceIp: '', userAgent: null })
    expect(ex.context.domainName).toBe('localhost')
  })
})
