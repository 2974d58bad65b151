import { describe, expect, it } from 'vitest'
import { isSluiceConfigError } from '../errors.js'
import { ApiKeyCsvError, parseApiKeysCsv } from './csv.js'
import { ApiKeyRegistry } from './registry.js'

const K1 = 'apikey1234abcdefghij0123456789'
const K2 = 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'
const K3 = 'ccccccccccccccccccccCCCCCCCCCC0123'

function csvError(input: unknown): ApiKeyCsvError {
  try {
    parseApiKeysCsv(input as string)
  } catch (e) {
    expect(e).toBeInstanceOf(ApiKeyCsvError)
    expect(isSluiceConfigError(e)).toBe(true)
    const err = e as ApiKeyCsvError
    expect(err.code).toBe('ERR_INVALID_API_KEY_CSV')
    expect(err.option).toBe('apiKeys (CSV)')
    return err
  }
  throw new Error('expected parseApiKeysCsv to throw')
}

describe('parseApiKeysCsv: AWS formats', () => {
  it('reads the minimal Key,name file', () => {
    expect(parseApiKeysCsv(`Key,name\n${K1},MyFirstApiKey\n`)).toEqual([{ value: K1, name: 'MyFirstApiKey', enabled: true, usagePlanIds: [] }])
  })

  it('reads Name,key,description,Enabled,usageplanIds', () => {
    const csv = `Name,key,description,Enabled,usageplanIds\nMyFirstApiKey,${K1},An imported key,TRUE,c7y23b\nSecond,${K2},,false,\n`
    expect(parseApiKeysCsv(csv)).toEqual([
      { value: K1, name: 'MyFirstApiKey', enabled: true, description: 'An imported key', usagePlanIds: ['c7y23b'] },
      { value: K2, name: 'Second', enabled: false, usagePlanIds: [] },
    ])
  })

  it('reads several usage plan ids in one double-quoted field', () => {
    const csv = `key,name,usageplanIds\n${K1},first,"c7y23b,glvrsr"\n`
    expect(parseApiKeysCsv(csv)).toEqual([{ value: K1, name: 'first', enabled: true, usagePlanIds: ['c7y23b', 'glvrsr'] }])
  })

  it('reads several usage plan ids in one single-quoted field', () => {
    const csv = `key,name,usageplanIds\n${K1},first,'c7y23b, glvrsr ,'\n`
    expect(parseApiKeysCsv(csv)).toEqual([{ value: K1, name: 'first', enabled: true, usagePlanIds: ['c7y23b', 'glvrsr'] }])
  })

  it('reads quoted fields with doubled quotes, commas and newlines', () => {
    const csv = `Key,Name,Description\n"${K1}","Smith, ""J""","line one\nline two"\n${K2},n2,d2\n`
    expect(parseApiKeysCsv(csv)).toEqual([
      { value: K1, name: 'Smith, "J"', enabled: true, description: 'line one\nline two', usagePlanIds: [] },
      { value: K2, name: 'n2', enabled: true, description: 'd2', usagePlanIds: [] },
    ])
  })

  it('reads headers case-insensitively in any order and ignores unknown columns', () => {
    const csv = `UsagePlanIds , extra,ENABLED,NAME,kEy,Description\n"p1,p2",ignored,False,  spaced name  ,${K1},desc\n`
    expect(parseApiKeysCsv(csv)).toEqual([{ value: K1, name: 'spaced name', enabled: false, description: 'desc', usagePlanIds: ['p1', 'p2'] }])
  })

  it('defaults Enabled to true and reads it case-insensitively', () => {
    const csv = `key,name,enabled\n${K1},a,\n${K2},b,TrUe\n${K3},c,FALSE\n`
    expect(parseApiKeysCsv(csv).map((k) => [k.name, k.enabled])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ])
  })

  it('lets a later row with the same key replace the earlier one', () => {
    const csv = `key,name,enabled\n${K1},old,true\n${K2},other,true\n${K1},new,false\n`
    expect(parseApiKeysCsv(csv)).toEqual([
      { value: K1, name: 'new', enabled: false, usagePlanIds: [] },
      { value: K2, name: 'other', enabled: true, usagePlanIds: [] },
    ])
  })

  it('handles CRLF line endings, a BOM, blank lines and no final newline', () => {
    const csv = `\uFEFFKey,Name\r\n${K1},first\r\n\r\n\r\n${K2},second`
    expect(parseApiKeysCsv(csv)).toEqual([
      { value: K1, name: 'first', enabled: true, usagePlanIds: [] },
      { value: K2, name: 'second', enabled: true, usagePlanIds: [] },
    ])
  })

  it('returns no keys for a header-only file', () => {
    expect(parseApiKeysCsv('Key,Name\n')).toEqual([])
  })

  it('produces input the registry accepts', () => {
    const keys = parseApiKeysCsv(`Key,Name,UsagePlanIds\n${K1},First,"gold,silver"\n`)
    const r = new ApiKeyRegistry(keys)
    const m = r.match(K1)
    expect(m.status).toBe('ok')
    expect(m.key?.name).toBe('First')
    expect(m.key?.usagePlanIds).toEqual(['gold', 'silver'])
  })
})

describe('parseApiKeysCsv: errors', () => {
  it('reports every bad row with its 1-based line number in one error', () => {
    const csv = [
      'Key,Name,Enabled', // 1
      `${K1},good,true`, // 2
      'short,bad key,true', // 3
      '', // 4
      `${K2},,true`, // 5
      `${K3},x,maybe`, // 6
      `${K1}-x,y`, // 7
      `${K2},fine,false`, // 8
    ].join('\n')
    const e = csvError(csv)
    expect(e.rows).toEqual([
      { line: 3, message: 'Key must be 20 to 128 alphanumeric characters' },
      { line: 5, message: 'Name is empty' },
      { line: 6, message: 'Enabled must be true or false, not "maybe"' },
      { line: 7, message: 'expected 3 fields, found 2; Key must be 20 to 128 alphanumeric characters' },
    ])
    expect(e.message).toBe(
      'apiKeys (CSV): 4 bad row(s):\n  line 3: Key must be 20 to 128 alphanumeric characters\n  line 5: Name is empty\n  line 6: Enabled must be true or false, not "maybe"\n  line 7: expected 3 fields, found 2; Key must be 20 to 128 alphanumeric characters (ERR_INVALID_API_KEY_CSV)',
    )
  })

  it('counts lines inside quoted fields and CRLF endings', () => {
    const csv = `Key,Name,Description\r\n${K1},a,"multi\r\nline\r\ntext"\r\nbad,b,c\r\n`
    expect(csvError(csv).rows).toEqual([{ line: 5, message: 'Key must be 20 to 128 alphanumeric characters' }])
  })

  it('refuses keys of 19 and 129 characters, and names over 1024 characters', () => {
    const csv = `Key,Name\n${'a'.repeat(19)},a\n${'a'.repeat(129)},b\n${'a'.repeat(20)},${'n'.repeat(1025)}\n${'b'.repeat(128)},${'n'.repeat(1024)}\n`
    expect(csvError(csv).rows).toEqual([
      { line: 2, message: 'Key must be 20 to 128 alphanumeric characters' },
      { line: 3, message: 'Key must be 20 to 128 alphanumeric characters' },
      { line: 4, message: 'Name is longer than 1024 characters' },
    ])
  })

  it.each([
    ['Key column', `Name,Description\nn,${K1}\n`, 'the header row has no Key column'],
    ['Name column', `Key,Description\n${K1},d\n`, 'the header row has no Name column'],
    ['Key and Name columns', 'Description,Enabled\nd,true\n', 'the header row has no Key or Name column'],
  ])('refuses a header without the %s', (_label, csv, message) => {
    expect(csvError(csv).rows).toEqual([{ line: 1, message }])
  })

  it('reports the header line after leading blank lines', () => {
    expect(csvError('\n\nName\n').rows).toEqual([{ line: 3, message: 'the header row has no Key column' }])
  })

  it.each(['', '\uFEFF', '\n\n', '   \r\n'])('refuses the empty file %j', (csv) => {
    expect(csvError(csv).rows).toEqual([{ line: 1, message: 'the file is empty; expected a header row with Key and Name' }])
  })

  it('reports an unterminated quote in a row', () => {
    const csv = `Key,Name\n${K1},ok\n${K2},"never closed\n${K3},c\n`
    expect(csvError(csv).rows).toEqual([{ line: 3, message: 'unterminated quoted field' }])
  })

  it('reports an unterminated quote in the header', () => {
    expect(csvError(`Key,"Name\n${K1},a\n`).rows).toEqual([{ line: 1, message: 'unterminated quoted field' }])
  })

  it('reports text after a closing quote', () => {
    const csv = `Key,Name\n${K1},"a"b\n${K2},"c"  \n`
    expect(csvError(csv).rows).toEqual([{ line: 2, message: 'text after a closing quote' }])
  })

  it.each([null, undefined, 42, {}, ['Key,Name'], Buffer.from('Key,Name\n')])('refuses non-string input %j without crashing', (input) => {
    expect(csvError(input).rows).toEqual([{ line: 0, message: 'the CSV must be given as a string' }])
  })

  it('refuses a file larger than 16 MiB', () => {
    expect(csvError('x'.repeat(16 * 1024 * 1024 + 1)).rows).toEqual([{ line: 0, message: 'the CSV is larger than 16 MiB' }])
  })

  it('never throws anything but ApiKeyCsvError on odd input', () => {
    for (const input of ['"', "'", ',,,,', 'Key,Name\n"', "Key,Name\n'", 'Key,Name\n,,,', 'Key,Name\r', '\r\r\r', 'Key,Name\n\0,\0']) {
      try {
        const out = parseApiKeysCsv(input)
        expect(Array.isArray(out)).toBe(true)
      } catch (e) {
        expect(e).toBeInstanceOf(ApiKeyCsvError)
      }
    }
  })
})
