/**
 * DEVELOPMENT ONLY — the second realm of the embedded development configuration, published in
 * the repository: anyone can mint its tokens with these keys. It is served for requests whose
 * host is `realm2.localhost` (any port) or whose path starts with `/realms/realm2` (clients that
 * cannot choose a host name), with its own signing keys, user `carol` / `wonderland2` and
 * relying party `urn:example:rp` (the same identifier as the first realm's, another realm).
 * The OAuth client and service accounts repeat the first realm's names and secrets on purpose:
 * the same name in two realms is two principals, which the tests of realm isolation rely on.
 */
import type { KeyMaterial } from "../keys/keyring.ts";
import type { RealmConfigInput } from "./types.ts";

/** DEVELOPMENT ONLY: realm2's RSA-2048 and EC P-256 signing keys (both current). */
export const DEV_REALM2_KEY_MATERIALS: KeyMaterial[] = [
  {
    // Edge STS Development Signing, realm2 (RSA) — NOT FOR PRODUCTION
    status: "current",
    privateKeyPem: `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDJmh28R6Jg6mh8
HnmkPIUTVyRgR+yhLj0xt5T7WeCHU06XekYhTG10+Gssfck17pXFpvbUTJP8Ualu
avzrA93PJQHAuygWXiL/8E4cENXzjKRcmeYEnyxZpuofAoKxOBTU7MmitnNgiN7+
ThQkwvpdQ/FpqexrdU3nO1v3e6NcAcF1JF0C6bitQRp0xD34aUhGadV9kRWj6SOd
AMSwn8VlSs2hk5Ozc2YkIS5OcagO1N+Hr9mk4fulU9vHP9HosBmDmAGyCrRXPSN9
6L/on/Zix3oW+BwSM8LtZ0uiM5fCcCUKMdPfKTCRMwoNOA7Hg4VXqD7/9QhWzNKf
mv1keNLbAgMBAAECggEAOLMfqdR71sYWnNH1ZDuhMc9Qa8POyYY3r8PyIr8kZusH
L5M0JilYn40+l0TJUmHHvc83nH3tIQnWnTd56p8rwxalZ487tw7CyTjMvxf9FIJ5
t5GRH7ukvZI0RoRuPWmIclomW5z01jGohd1vzOcJgzGYtB8WXyKexmnrc69SQo27
yz1eJ0ywvy/u/LOJ+I/2m4/jONfDMWP/n9sGASoClnM8/Cl8HE2ORqOVv23hnQg+
Trrkj0w/YsvKWNQr2hvYAPq7etcJvM6LpYRGF4ZK4nxAeLEzSD1ET9oxcEvUovGP
+xPqHMzIeUj9FrmsXJGtntBON1gEMt749hlldPJAAQKBgQDykCdDbOnytuSeatBn
hho5dl5pzkJXXX5aUtB8WfCZNW41+kts4Vq3LssHPGJ+Ow0w+oLxQUanQtzlosuR
vFrC25q5BBsuxxc38JwaaL1TrPwPMnIJu6T+jqMu8iVB4YOqCDoUNRsaivoAFVJm
IENSqBtV4kM/vkMj3u2DmIIvtwKBgQDUxRVp9y6M6JL0Ts5pY7n1UbtwAgs+Jd9w
WO36nSDl9VYZqWoJaC80At3CI8lfAk9NV+/AP1+R9BZVokChTuSkemVVRMof9EFb
t761HQvveiPSKEc9GIzQoeXfNW1gyNZwnCLJp4PKYmy6arEr5mOcrc0skLgRVWH2
dcGJmPet/QKBgFd4NkBxORgGbgDWgdqjGDfagIdlErVQiKznqjj9ce69vsWGQca8
qSrfm+U7GEVu4/3iiG+ZW3IbgW7pusEODCiyamQHoAnJT40jnhdD5+oRuj98sHTk
DsahByV5uoe8W+9n0hHRaLm0nhyDk9gyEDTxXBInaprE8I8x57KJv4CXAoGBALDx
rdtQC1B34i52k0Yl/3I6pGyD5qGqkWU3L8IphkB3hUEWGO71y7uvXoijhkYS/6xM
oz/39BzHJwPUSXdcytzWRQtih82HLgt+hYTNQS3JH50YjhYLIqAm46p7HhlNLLi9
wFh/jSR0MgPd0rW1hcW47FZRjCIuJaf3ShqKMgBpAoGAQEu6jzS6hYRtkEzrV1wa
5DnM9mjlOxt/J6jQuz04Z4dyG+VnR6zB6a1I2zXDvQpKvl7h5Uhux9zto38862Y6
GIe0Tv3ACiPmB3QU852cwUsQlwZlAhFJVI5RiOWu/fBnXnUsuPZlxn3bRMJ7WYXz
yczXWJNNFo6PboYjYqPg62E=
-----END PRIVATE KEY-----
`,
    certificatePem: `-----BEGIN CERTIFICATE-----
MIIDYTCCAkmgAwIBAgIQTGajM8RrNF7l3gwH+cO8jDANBgkqhkiG9w0BAQsFADBM
MUowSAYDVQQDDEFFZGdlIFNUUyBEZXZlbG9wbWVudCBTaWduaW5nLCByZWFsbTIg
KFJTQSkg4oCUIE5PVCBGT1IgUFJPRFVDVElPTjAeFw0yNjEyMDQyMjE3NDJaFw0z
NjEyMDEyMjE3NDJaMEwxSjBIBgNVBAMMQUVkZ2UgU1RTIERldmVsb3BtZW50IFNp
Z25pbmcsIHJlYWxtMiAoUlNBKSDigJQgTk9UIEZPUiBQUk9EVUNUSU9OMIIBIjAN
BgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyZodvEeiYOpofB55pDyFE1ckYEfs
oS49MbeU+1ngh1NOl3pGIUxtdPhrLH3JNe6Vxab21EyT/FGpbmr86wPdzyUBwLso
Fl4i//BOHBDV84ykXJnmBJ8sWabqHwKCsTgU1OzJorZzYIje/k4UJML6XUPxaans
a3VN5ztb93ujXAHBdSRdAum4rUEadMQ9+GlIRmnVfZEVo+kjnQDEsJ/FZUrNoZOT
s3NmJCEuTnGoDtTfh6/ZpOH7pVPbxz/R6LAZg5gBsgq0Vz0jfei/6J/2Ysd6Fvgc
EjPC7WdLojOXwnAlCjHT3ykwkTMKDTgOx4OFV6g+//UIVszSn5r9ZHjS2wIDAQAB
oz8wPTAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAdBgNVHQ4EFgQU9VRn
bAwgnwgib7gRqlDWOCKSuzswDQYJKoZIhvcNAQELBQADggEBAFHRT9LrDZuMSXb4
seCblBgd7gcIbCuYuuPkIexqG8OQva51LfqCiEWItuEJXNf3J+GFpR0QD/5k+Gqg
GvAMwpsYvJlDi0xaBu06Sw6qoMhM0h/oZsopY4FuJTrpSkSrCcv10PFthlsSQk5j
Avd5y1q3K11ukU5Q7r9aGCX4vnyAmDztBtWDzv0eGs1dZ0qtlS811ChjahJGTSu2
zJtKpSImJlZ3TbCisIoEKOMBzuhsNzz6EhAkB1PCHL8KQktCKfny8KqzGJqIMrN8
TXPcVedslmYO7g9VIOGY3sJVdq89XgohhdSj9k0XmhTIFbJVGk8ih7PbZ2lGyZ5K
cBEcnho=
-----END CERTIFICATE-----
`,
  },
  {
    // Edge STS Development Signing, realm2 (EC P-256) — NOT FOR PRODUCTION
    status: "current",
    privateKeyPem: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBKWDf+/g+uKkm1T6
q55Ak++9kRDoElSO0oA6LvAVjn+hRANCAAQjvmPVqfzeEC44I/mJzvOYo8GzFilo
+qPmzM7JvLbfZF+7K0vuLURLR6K940qYy7vrz0uRAQp9+G73wkrt10YZ
-----END PRIVATE KEY-----
`,
    certificatePem: `-----BEGIN CERTIFICATE-----
MIIB3jCCAYWgAwIBAgIQTw6hamLBwPOGHc4XapHGnTAKBggqhkjOPQQDAjBRMU8w
TQYDVQQDDEZFZGdlIFNUUyBEZXZlbG9wbWVudCBTaWduaW5nLCByZWFsbTIgKEVD
IFAtMjU2KSDigJQgTk9UIEZPUiBQUk9EVUNUSU9OMB4XDTI2MTIwNDIyMTc0M1oX
DTM2MTIwMTIyMTc0M1owUTFPME0GA1UEAwxGRWRnZSBTVFMgRGV2ZWxvcG1lbnQg
U2lnbmluZywgcmVhbG0yIChFQyBQLTI1Nikg4oCUIE5PVCBGT1IgUFJPRFVDVElP
TjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCO+Y9Wp/N4QLjgj+YnO85ijwbMW
KWj6o+bMzsm8tt9kX7srS+4tREtHor3jSpjLu+vPS5EBCn34bvfCSu3XRhmjPzA9
MAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMB0GA1UdDgQWBBSStLeN0ayW
2VX6+AYUjX/dZE40jjAKBggqhkjOPQQDAgNHADBEAiA7Y/6sbpWT/06rgB9FfJbO
nYkyH5oXd3KsVnAAGRk0HwIgHOAaFpsgRUFlczq3h/+20Sr55FRvCv+kBk93MvG9
zpU=
-----END CERTIFICATE-----
`,
  },
];

/** DEVELOPMENT ONLY: realm2's stand-ins for Worker secrets (binding name → value). */
export const DEV_REALM2_SECRETS: Readonly<Record<string, string>> = Object.freeze({
  // PBKDF2-HMAC-SHA256, 100,000 iterations, of "wonderland2".
  DEV_REALM2_CAROL_PASSWORD_HASH: "pbkdf2-sha256$100000$lWboauXvRw9oWpUQB9OTiw==$Sbww48Hy10IjgVITGKXytJ2+qsBsPmrfTbG9wr83wz4=",
  ...Object.fromEntries(DEV_REALM2_KEY_MATERIALS.map((m, i) => [`DEV_REALM2_KEY_${i}_PRIVATE`, m.privateKeyPem ?? ""])),
});

const RP_SAML = "urn:example:rp";

/**
 * DEVELOPMENT ONLY. No `issuer`: like the first realm, its issuer is the origin the request came
 * to (with the path prefix when it came through one). The secret hashes of `demo-client`,
 * `rp-validator`, `sts-admin` and `user-admin` are the first realm's bindings (src/config/dev.ts).
 * Its user directory is its own: the same USERS_DB, rows of realm2 only, none seeded.
 */
export const DEV_REALM2: RealmConfigInput = {
  name: "realm2",
  hosts: ["realm2.localhost"],
  pathPrefix: "/realms/realm2",
  keys: DEV_REALM2_KEY_MATERIALS.map((m, i) => ({ status: m.status, privateKeySecret: `DEV_REALM2_KEY_${i}_PRIVATE`, certificate: m.certificatePem })),
  users: [
    {
      username: "carol",
      passwordHashSecret: "DEV_REALM2_CAROL_PASSWORD_HASH",
      claims: { email: "carol@example.com", given_name: "Carol", role: ["user"] },
    },
  ],
  relyingParties: [{ identifier: RP_SAML, defaultTokenType: "saml2" }],
  oauthClients: [
    { clientId: "demo-client", secretHashSecret: "DEV_DEMO_CLIENT_SECRET_HASH", allowedAudiences: [RP_SAML], resourceServerFor: [RP_SAML] },
  ],
  serviceAccounts: [
    { username: "rp-validator", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [RP_SAML], operations: ["validate", "renew", "cancel"] },
    { username: "sts-admin", secretHashSecret: "DEV_STS_ADMIN_SECRET_HASH", allowedRelyingParties: [RP_SAML], operations: ["revoke-subject"] },
    { username: "user-admin", secretHashSecret: "DEV_USER_ADMIN_SECRET_HASH", allowedRelyingParties: [], operations: ["manage-users"] },
  ],
};
