// The server's clock as the phone shows it: punches are stamped by the server, so the clock
// page shows the server's time, not the phone's (which may be wrong by minutes). The offset
// comes from the HTTP `Date` header of a cheap request (second precision is enough for a
// clock face); without one, the phone's own time is shown.
export interface ServerClock {
  now(): Date
  sync(): Promise<void>
}

export function serverClock(): ServerClock {
  let offset = 0
  return {
    now: () => new Date(Date.now() + offset),
    async sync() {
      try {
        const sent = Date.now()
        const res = await fetch('/healthz', { cache: 'no-store', credentials: 'same-origin' })
        const header = res.headers.get('date')
        if (!header) return
        const server = Date.parse(header)
        if (Number.isNaN(server)) return
        // The header is truncated to the second: assume the middle of the round trip and second.
        const mid = (sent + Date.now()) / 2
        offset = server + 500 - mid
      } catch {
        /* unreachable: keep the phone's time */
      }
    },
  }
}
