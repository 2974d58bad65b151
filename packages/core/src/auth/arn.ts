/**
 * Where the gateway pretends to live (region, account, API id) and the method ARNs built from it,
 * as API Gateway builds them: `arn:aws:execute-api:{region}:{accountId}:{apiId}/{stage}/{METHOD}/{path}`
 * with the request's actual path (not the route template); the root is `.../GET/`.
 */
import { SluiceConfigError } from '../errors.js'

/** The identity of the API in method ARNs. Defaults suit a local gateway. */
export interface AwsIdentity {
  /** Default `us-east-1` (also the SigV4 scope region). */
  region?: string
  /** Default `123456789012` (AWS's documentation account). */
  accountId?: string
  /** Default `sluice` (AWS ids are 10 lower-case letters and digits). */
  apiId?: string
}

export const AWS_DEFAULTS: Readonly<Required<AwsIdentity>> = Object.freeze({ region: 'us-east-1', accountId: '123456789012', apiId: 'sluice' })

/** Validates the gateway's `aws` option. */
export function resolveAws(aws: AwsIdentity | undefined): Readonly<Required<AwsIdentity>> {
  if (aws === undefined) return AWS_DEFAULTS
  if (aws === null || typeof aws !== 'object') throw new SluiceConfigError('ERR_INVALID_OPTION', 'aws', 'must be { region?, accountId?, apiId? }')
  for (const k of Object.keys(aws)) if (!(k in AWS_DEFAULTS)) throw new SluiceConfigError('ERR_INVALID_OPTION', `aws.${k}`, 'unknown field; expected region, accountId, apiId')
  const out = { ...AWS_DEFAULTS, ...aws }
  if (typeof out.region !== 'string' || !/^[a-z0-9-]{1,64}$/.test(out.region)) throw new SluiceConfigError('ERR_INVALID_OPTION', 'aws.region', 'must be a region name such as us-east-1')
  if (typeof out.accountId !== 'string' || !/^\d{12}$/.test(out.accountId)) throw new SluiceConfigError('ERR_INVALID_OPTION', 'aws.accountId', 'must be 12 digits')
  if (typeof out.apiId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(out.apiId)) throw new SluiceConfigError('ERR_INVALID_OPTION', 'aws.apiId', 'must be 1 to 64 letters, digits, _ or -')
  return Object.freeze(out)
}

/** The method ARN of a request. */
export function methodArn(aws: Readonly<Required<AwsIdentity>>, stage: string, method: string, path: string): string {
  return `arn:aws:execute-api:${aws.region}:${aws.accountId}:${aws.apiId}/${stage}/${method}/${path.startsWith('/') ? path.slice(1) : path}`
}

/** Expands a resource policy's shorthand (`execute-api:/stage/GET/pets`, `execute-api:/*`) to a full ARN. */
export function expandShorthand(aws: Readonly<Required<AwsIdentity>>): (resource: string) => string {
  const prefix = `arn:aws:execute-api:${aws.region}:${aws.accountId}:${aws.apiId}`
  return (r) => (r.startsWith('execute-api:/') ? prefix + r.slice('execute-api:'.length) : r)
}
