export { UdpAssociation, type UdpAssociationOptions } from './udp-association';
