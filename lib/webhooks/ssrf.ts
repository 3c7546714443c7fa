import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { Agent } from 'undici'

/**
 * Where webhooks may be delivered (docs/ARCHITECTURE.md, Webhooks): an allow-list of hosts, or —
 * without one — any public address. `allowPrivate` (WEBHOOK_ALLOW_PRIVATE, development) also
 * allows loopback, private and link-local addresses.
 */
export interface UrlPolicy {
  allowedHosts: readonly string[]
  allowPrivate: boolean
}

/** The safe default where no server configuration is at hand. */
export const PUBLIC_ONLY: UrlPolicy = Object.freeze({ allowedHosts: [], allowPrivate: false })

/** Re-checking stored definitions when metadata loads: the shape only, deliveries check again. */
export const SHAPE_ONLY: UrlPolicy = Object.freeze({ allowedHosts: [], allowPrivate: true })

/**
 * Addresses no webhook may reach without an allow-list: what is not a public unicast address
 * (IANA special-purpose registries), notably loopback, RFC 1918, link-local (cloud metadata at
 * 169.254.169.254), CGNAT, unique-local fc00::/7, unspecified, multicast and reserved ranges.
 */
const BLOCKED = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8]
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6')

const MAPPED_V4_RE = /^::ffff:(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i
const MAPPED_V4_HEX_RE = /^::ffff:(?:0:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i

/** The IPv4 address an IPv4-mapped (or -translated) IPv6 address carries, else the address. */
function unmapped (address: string): string {
  const dotted = MAPPED_V4_RE.exec(address)
  if (dotted !== null) return dotted[1] as string
  const hex = MAPPED_V4_HEX_RE.exec(address)
  if (hex === null) return address
  const hi = parseInt(hex[1] as string, 16)
  const lo = parseInt(hex[2] as string, 16)
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

/** Whether an IP address (v4 or v6) is outside the public unicast space. Anything else is not an IP: false. */
export function isNonPublicAddress (address: string): boolean {
  const ip = unmapped(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''))
  const family = isIP(ip)
  if (family === 0) return false
  return BLOCKED.check(ip, family === 4 ? 'ipv4' : 'ipv6')
}

/**
 * Why a URL's host may not receive deliveries under the policy's private-address rule, judged
 * without DNS (when a webhook is saved): an IP literal outside the public space, or a name that
 * always means this machine (`localhost`). Null when allowed so far; `guardedLookup` checks the
 * resolved addresses at delivery time.
 */
export function privateHostProblem (hostname: string, policy: UrlPolicy): string | null {
  if (policy.allowPrivate || policy.allowedHosts.length > 0) return null
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '')
  if (host === 'localhost' || host.endsWith('.localhost') || isNonPublicAddress(host)) {
    return `host '${hostname}' is a loopback, private or link-local address (set WEBHOOK_ALLOW_PRIVATE=true for development)`
  }
  return null
}

/** The error a refused resolution fails the connection with (its code names the cause in the log). */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS'
}

/**
 * A DNS lookup for the HTTP client that refuses a name resolving to any non-public address.
 * The connection is made to the address checked here, so a second, different answer (DNS
 * rebinding) cannot slip through between check and connect.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err !== null) return callback(err, '', 0)
    const bad = addresses.find((a) => isNonPublicAddress(a.address))
    if (bad !== undefined || addresses.length === 0) {
      return callback(new BlockedAddressError(`${hostname} resolves to a non-public address`), '', 0)
    }
    if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
    const first = addresses[0] as LookupAddress
    callback(null, first.address, first.family)
  })
}

let guardedAgent: Agent | null = null

/**
 * The HTTP client of deliveries under a policy: with the private-address rule in force, one
 * whose connections resolve names through `guardedLookup`; otherwise the default (null).
 */
export function dispatcherFor (policy: UrlPolicy): Agent | null {
  if (policy.allowPrivate || policy.allowedHosts.length > 0) return null
  guardedAgent ??= new Agent({ connect: { lookup: guardedLookup } })
  return guardedAgent
}
