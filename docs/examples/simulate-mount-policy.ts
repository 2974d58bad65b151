/**
 * A mounted API's resource policy and a binary response, run without a server through `simulate`:
 * the policy denies callers outside 10.0.0.0/8 before any authorizer runs; a handler's base64 text
 * goes out as bytes to a client that accepts image/png.
 */
import { createGateway, type ApiDefinition } from '@sluice/core'
import { simulate } from '@sluice/core/testing'

const api: ApiDefinition = {
  name: 'Pets',
  binaryMediaTypes: ['image/png'],
  policy: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } },
    ],
  },
  paths: {
    '/photo': {
      GET: {
        integration: {
          type: 'AWS',
          handler: 'photo',
          responses: [{ statusCode: '200', responseParameters: { 'method.response.header.Content-Type': "'image/png'" }, responseTemplates: { 'application/json': "$input.path('$')" } }],
        },
      },
    },
  },
}

const step = createGateway({ stage: { name: 'prod' } }).mount(api, { integrations: { photo: async () => Buffer.from('PNG bytes').toString('base64') } })

const outside = await simulate(step, { url: '/photo', ip: '192.0.2.7' })
console.log(outside.response.status, outside.response.body)
// 403 {"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:pets/prod/GET/photo with an explicit deny"}

const inside = await simulate(step, { url: '/photo', ip: '10.1.2.3', headers: { accept: 'image/png' } })
console.log(inside.response.status, inside.response.headers['content-type'], Buffer.from(inside.response.body).toString()) // 200 image/png PNG bytes
