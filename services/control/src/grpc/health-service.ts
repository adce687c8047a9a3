/**
 * grpc.health.v1.Health: "" (the whole server) and "sockscale.policy.v1.PolicyDiscovery" are
 * SERVING while the replica is ready (store reachable); other names are NOT_FOUND (Check) or
 * SERVICE_UNKNOWN (Watch), as the standard says.
 */
import * as grpc from '@grpc/grpc-js';
import type { HealthCheckResponse, HealthHandlers } from '@sockscale/common';
import { statusError } from './status-error';

export const HEALTH_SERVICES = ['', 'sockscale.policy.v1.PolicyDiscovery', 'sockscale.admin.v1.PolicyAdmin'];

type Status = NonNullable<HealthCheckResponse['status']>;

export function healthHandlers(ready: () => boolean, pollMs = 1000): HealthHandlers {
  const status = (service: string): Status | undefined => (HEALTH_SERVICES.includes(service) ? (ready() ? 'SERVING' : 'NOT_SERVING') : undefined);
  return {
    Check(call, callback) {
      const s = status(call.request.service);
      if (s === undefined) callback(statusError(grpc.status.NOT_FOUND, `unknown service "${call.request.service}"`));
      else callback(null, { status: s });
    },
    Watch(call) {
      let last: Status | undefined;
      const tick = (): void => {
        const s = status(call.request.service) ?? 'SERVICE_UNKNOWN';
        if (s !== last) {
          last = s;
          call.write({ status: s });
        }
      };
      tick();
      const timer = setInterval(tick, pollMs);
      const stop = (): void => clearInterval(timer);
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    },
  };
}
