/**
 * Fan-out without re-encoding: a message serialized once and written as is to many streams.
 * grpc-js calls the method's `responseSerialize` for every write on every stream; the service
 * definition registered with the server (withPreEncodedResponses) lets a PreEncoded value
 * through as its bytes and serializes anything else as usual. The Watch handler encodes each
 * published snapshot once per version and hands the same Buffer to every watcher.
 */
import type * as grpc from '@grpc/grpc-js';

const BYTES = Symbol('sockscale.preEncoded');

export interface PreEncoded {
  readonly [BYTES]: Buffer;
}

export function preEncoded(bytes: Buffer): PreEncoded {
  return { [BYTES]: bytes };
}

function isPreEncoded(v: unknown): v is PreEncoded {
  return typeof v === 'object' && v !== null && BYTES in v;
}

/** `service` with `methods` accepting PreEncoded responses. */
export function withPreEncodedResponses(service: grpc.ServiceDefinition, methods: readonly string[]): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = { ...service };
  for (const m of methods) {
    const def = service[m];
    if (def === undefined) throw new RangeError(`service has no method ${m}`);
    const serialize = def.responseSerialize;
    out[m] = { ...def, responseSerialize: (v: unknown) => (isPreEncoded(v) ? v[BYTES] : serialize(v)) };
  }
  return out;
}
