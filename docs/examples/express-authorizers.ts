/**
 * Authorizers on Express 5: a Lambda-style token authorizer whose policy is cached and re-evaluated
 * per method, a JWT authorizer (HS256 here, so the example needs no identity provider) with route
 * scopes, IAM SigV4 with identity policies, and a resource policy that refuses an address range.
 *
 * Build the packages (`pnpm build`), compile or run this file with your TypeScript runner, then:
 *
 *   curl -i -H 'authorization: Bearer reader' http://127.0.0.1:3000/pets         # 200: GET allowed
 *   curl -i -X DELETE -H 'authorization: Bearer reader' http://127.0.0.1:3000/pets   # 403 from the cached policy
 *   curl -i -H 'authorization: Bearer nobody' http://127.0.0.1:3000/pets         # 401
 *   curl -i -H "authorization: Bearer $JWT" http://127.0.0.1:3000/me             # 200 with the claims
 *   curl -i http://127.0.0.1:3000/me                                             # 401 + WWW-Authenticate
 *
 * `JWT` is printed at start-up. /iam needs a SigV4-signed request (service execute-api, region
 * us-east-1) with the access key printed at start-up, e.g. from an AWS SDK or `aws4`.
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { AuthorizerConfig, IamCredentials, PolicyDocument } from '@sluice/core'
import { gateway } from '@sluice/express'
import express from 'express'

const port = Number(process.env.PORT ?? 3000)
const jwtSecret = process.env.JWT_SECRET ?? randomBytes(32).toString('hex')
const issuer = 'https://issuer.example.com'
const accessKeyId = 'AKIDEXAMPLELOCAL'
const secretAccessKey = process.env.AWS_SECRET ?? randomBytes(30).toString('base64')

const gw = gateway({
  stage: { name: 'dev' },
  aws: { region: 'us-east-1', accountId: '123456789012', apiId: 'petstore' },
  // nobody from the documentation range 198.51.100.0/24. Deny only: a resource policy that *allowed*
  // the methods would let callers through whom an authorizer's policy merely does not mention
  // (AWS's same-account table: either may allow; only an explicit Deny wins).
  resourcePolicy: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { IpAddress: { 'aws:SourceIp': ['198.51.100.0/24'] } } }],
  },
})

const policy = (effect: 'Allow' | 'Deny', resource: string): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: resource }] })

// One config object shared by every route it protects: one result cache, as one API Gateway authorizer.
const tokens: AuthorizerConfig = {
  type: 'token',
  identityValidationExpression: 'Bearer [a-z]+',
  authorizerResultTtlInSeconds: 300,
  handler: (event) => {
    const who = event.authorizationToken.slice('Bearer '.length)
    if (who === 'reader') return { principalId: who, policyDocument: policy('Allow', 'arn:aws:execute-api:*:*:petstore/*/GET/*'), context: { role: 'reader' } }
    if (who === 'admin') return { principalId: who, policyDocument: policy('Allow', 'arn:aws:execute-api:*:*:petstore/*'), context: { role: 'admin' } }
    throw new Error('Unauthorized')
  },
}

const jwt: AuthorizerConfig = { type: 'jwt', jwtConfiguration: { issuer, audience: ['petstore'] }, secret: jwtSecret }

const iam: AuthorizerConfig = {
  type: 'aws_iam',
  credentials: (id): IamCredentials | undefined =>
    id === accessKeyId ? { secretAccessKey, userArn: 'arn:aws:iam::123456789012:user/local', policies: [policy('Allow', 'arn:aws:execute-api:*:*:petstore/*/GET/*')] } : undefined,
}

const app = express()
app.get('/pets', gw.authorize(tokens), (_req, res) => res.json([{ id: 1, name: 'rex' }]))
app.delete('/pets', gw.authorize(tokens), (_req, res) => res.status(204).end())
app.get('/me', gw.authorize(jwt, { authorizationScopes: ['pets/read'] }), (_req, res) => res.json({ ok: true }))
app.get('/iam', gw.authorize(iam), (_req, res) => res.json({ signed: true }))

/** An HS256 token for the JWT route, valid for an hour. */
function demoToken(): string {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: issuer, aud: 'petstore', sub: 'demo-user', iat: now, exp: now + 3600, scope: 'pets/read' })}`
  return `${input}.${createHmac('sha256', jwtSecret).update(input).digest('base64url')}`
}

const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address()
  const actual = typeof address === 'object' && address !== null ? address.port : port
  console.log(`listening on http://127.0.0.1:${actual}`)
  console.log(`JWT=${demoToken()}`)
  console.log(`SigV4 access key ${accessKeyId}, secret ${secretAccessKey}`)
})
