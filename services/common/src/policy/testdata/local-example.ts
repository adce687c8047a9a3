/**
 * The embedded-mode example policy (shipped as examples/local.yaml, with a real hash for bob).
 * A test fixture: line numbers matter to the tests, so edit with care.
 */
export const BOB_HASH = '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';

export const LOCAL_EXAMPLE = `apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: alice}
spec:
  groups: [staff]
  password: {value: wonderland}          # plain text: embedded mode only
---
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: bob}
spec:
  groups: [guests]
  password: {hash: "${BOB_HASH}"}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: staff-lab}
spec:
  priority: 100                           # lower runs first; then name
  subjects: {groups: [staff]}
  rules:                                  # first matching rule wins; no match = deny
    - name: no-canary
      action: Deny
      destinations: ["127.0.0.1/32"]
      ports: ["25"]                       # no mail relaying
    - name: lab
      action: Allow
      commands: [Connect, Bind, UdpAssociate]
      destinations: ["127.0.0.0/8", "::1/128", "localhost"]
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: local-anonymous}
spec:
  priority: 200
  subjects: {anonymous: true, clientCIDRs: ["127.0.0.0/8", "::1/128"]}
  rules:
    - {action: Deny, destinations: ["127.0.0.1/32"], ports: ["25"]}
    - {action: Allow, commands: [Connect, Bind, UdpAssociate], destinations: ["127.0.0.0/8", "::1/128", "localhost"]}
`;
