/**
 * Route templates from the frameworks in API Gateway's form: `:id` → `{id}`, a trailing `*` or
 * `*name` → `{proxy+}` / `{name+}`; optional parts and regular expressions are dropped.
 */
export function resourceFromRoute(template: string): string {
  let out = memo.get(template)
  if (out === undefined) {
    out = convert(template)
    if (memo.size < 10_000) memo.set(template, out)
  }
  return out
}

/** Route templates are few: their conversions are kept. */
const memo = new Map<string, string>()

function convert(template: string): string {
  let out = ''
  for (const seg of template.split('/')) {
    if (seg === '') {
      out += out === '' ? '' : '/'
      continue
    }
    let s = seg
    if (s === '*') s = '{proxy+}'
    else if (s.startsWith('*')) s = `{${s.slice(1)}+}`
    else if (s.startsWith(':')) {
      const name = /^:([A-Za-z0-9_]+)/.exec(s)?.[1] ?? 'param'
      s = `{${name}}`
    }
    out += `/${s}`
  }
  return out === '' ? '/' : out
}
