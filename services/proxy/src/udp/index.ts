export { UdpAssociation, type UdpAssociationOptions } from './udp-association';
export { UdpRelayPort, type RelayPortOptions, type RelayPortMode, type UdpAssociationHandle } from './relay-port';
export { pickAssociation } from './pick-association';
export { UdpQuota, UDP_QUOTA_IDLE_MS, type UdpQuotaOptions } from './udp-quota';
