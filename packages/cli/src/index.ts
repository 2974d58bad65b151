/**
 * `@sluice/cli`: the `sluice` command (in progress).
 */
export {}
