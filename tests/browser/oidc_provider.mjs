// A certified OpenID provider (oidc-provider from npm) on loopback, for signing in through a
// real provider in the browser tests. Its development login form accepts any account name;
// the accounts below give the claims a citizen account or a staff directory would.

import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

import { freePort } from './server.mjs';

const ACCOUNTS = {
  'konto-erika': { given_name: 'Erika', family_name: 'Mustermann', email: 'erika@example.org', email_verified: true },
  // Matches the demo caseworker Lena Hoffmann by her subject.
  'demo-lena': { given_name: 'Lena', family_name: 'Hoffmann', email: 'lena.hoffmann@jugendamt.example', email_verified: true },
  'fremde-person': { given_name: 'Fremde', family_name: 'Person', email: 'fremd@example.org', email_verified: true },
};

export const CLIENTS = {
  citizen: { id: 'klarsicht-buerger', secret: 'buerger-secret-for-tests-only' },
  staff: { id: 'klarsicht-mitarbeitende', secret: 'mitarbeitende-secret-for-tests-only' },
};

/// Starts the provider for an app at `appUrl`; returns its issuer and a stop function.
export async function startProvider(appUrl) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const signingKey = createPrivateKey(readFileSync(new URL('../fixtures/oidc-signing-key.pem', import.meta.url)))
    .export({ format: 'jwk' });
  const client = (entrance, { id, secret }) => ({
    client_id: id,
    client_secret: secret,
    redirect_uris: [`${appUrl}/anmelden/${entrance}/rueckruf`],
    post_logout_redirect_uris: [`${appUrl}/abgemeldet`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  });
  const provider = new Provider(issuer, {
    clients: [client('buerger', CLIENTS.citizen), client('mitarbeitende', CLIENTS.staff)],
    jwks: { keys: [{ ...signingKey, kid: 'browser-test-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['browser-test-cookie-key-not-secret'] },
    claims: { email: ['email', 'email_verified'], profile: ['family_name', 'given_name', 'name'] },
    // The default: profile and e-mail claims come from the userinfo endpoint, not the ID
    // token, so these tests also prove the portal asks there.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => ({ sub: id, ...(ACCOUNTS[id] ?? {}) }) };
    },
  });
  const server = provider.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    issuer,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/// Logs in at the provider's development login form and consents.
export async function loginAtProvider(page, account) {
  await page.waitForSelector('input[name="login"]');
  await page.fill('input[name="login"]', account);
  await page.fill('input[name="password"]', 'irrelevant');
  await page.click('button[type="submit"]');
  // First sign-in of this account to this client: the consent screen.
  const consent = page.locator('button[type="submit"]', { hasText: /continue/i });
  if (await consent.count()) await consent.first().click();
}
