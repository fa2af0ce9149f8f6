// Look-ups every area shares: the data dictionaries (one request per page load, code →
// label in the UI language) and how a masked value looks as the server returns it.
import { api, type Schemas } from './client'

export type Dictionary = Schemas['DictionaryView']

let dictionaries: Promise<Map<string, Dictionary>> | null = null

/** Every data dictionary, by key. A failed load is not cached, so the next caller retries. */
export function loadDictionaries(): Promise<Map<string, Dictionary>> {
  dictionaries ??= api
    .get<Dictionary[]>('/dictionaries')
    .then((list) => new Map(list.map((d) => [d.key, d])))
    .catch((e) => {
      dictionaries = null
      throw e
    })
  return dictionaries
}

/** The label of a dictionary code in the UI language; the code itself when unknown. */
export function dictLabel(dicts: Map<string, Dictionary> | null, key: string, code: string | null | undefined, locale: string): string {
  if (code === null || code === undefined || code === '') return ''
  const e = dicts?.get(key)?.entries.find((x) => x.code === code)
  if (!e) return code
  return locale.startsWith('en') ? e.en : e.zh
}

/** A value the server masked for this reader (`133****8309`, `***`). */
export function isMasked(v: string | null | undefined): boolean {
  return typeof v === 'string' && v.includes('*')
}
