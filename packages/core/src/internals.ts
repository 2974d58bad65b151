/**
 * @internal What a gateway shares with its own whole-API mount beyond its public interface: the
 * environments its features are built from, so a mounted API builds the same features scoped to
 * its own identity and stage (method ARNs, resource policy, store keys) over the gateway's stores.
 */
import type { AuthorizeEnv } from './auth/authorize.js'
import type { PolicyDocument } from './auth/policy.js'
import type { CacheEnv } from './cache/cache.js'
import type { ThrottleEnv } from './throttle/throttle.js'

/** @internal */
export interface GatewayInternals {
  readonly authEnv: AuthorizeEnv
  /** The gateway's `resourcePolicy` option as given (a mounted API compiles it for its own ARNs). */
  readonly resourcePolicy: PolicyDocument | undefined
  readonly throttleEnv: ThrottleEnv
  readonly cacheEnv: CacheEnv
}

const table = new WeakMap<object, GatewayInternals>()

/** @internal */
export function setInternals(gateway: object, internals: GatewayInternals): void {
  table.set(gateway, internals)
}

/** @internal the internals of a gateway made by `createGateway`. */
export function internalsOf(gateway: object): GatewayInternals {
  const i = table.get(gateway)
  if (i === undefined) throw new TypeError('not a gateway made by createGateway')
  return i
}
