/**
 * @kubernetes/client-node is an ES module; this package is CommonJS, so it is loaded with a
 * dynamic import (kept as import() by the Node16 module setting) and its types are taken from it.
 */
import type * as K from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

export type K8s = typeof K;
export type KubeConfig = K.KubeConfig;
export type CustomObjectsApi = K.CustomObjectsApi;
export type CoordinationV1Api = K.CoordinationV1Api;
export type V1Lease = K.V1Lease;
export type KubernetesObject = K.KubernetesObject;
export type KubernetesListObject<T extends K.KubernetesObject> = K.KubernetesListObject<T>;
export type Informer<T extends K.KubernetesObject> = K.Informer<T> & K.ObjectCache<T>;

export type KubeAccess = { kind: 'kubeconfig'; path: string } | { kind: 'in-cluster' };

let loaded: Promise<K8s> | undefined;
export function loadK8s(): Promise<K8s> {
  loaded ??= import('@kubernetes/client-node');
  return loaded;
}

export async function loadKubeConfig(access: KubeAccess): Promise<{ k8s: K8s; kc: KubeConfig }> {
  const k8s = await loadK8s();
  const kc = new k8s.KubeConfig();
  if (access.kind === 'kubeconfig') kc.loadFromFile(access.path);
  else kc.loadFromCluster();
  return { k8s, kc };
}
