/**
 * The contract between the relays (TCP pumps, UDP associations) and whatever limits bytes:
 * per-user/per-rule token buckets (policy engine), cluster quota grants (quota issue).
 * A relay with no gate pays no per-chunk cost; a relay with a gate calls `consume` once per
 * chunk/datagram after relaying it.
 */
export interface ByteGate {
  /**
   * Charge `n` bytes just relayed (n may be 0 to re-ask). Returns 0 to keep reading, or the
   * number of milliseconds to pause reading from the source before asking again with
   * consume(0). Never drops or alters bytes: a pause only delays the next read.
   */
  consume(n: number): number;
}
