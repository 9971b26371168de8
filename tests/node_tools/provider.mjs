// A real OpenID Connect provider (panva/node-oidc-provider) for the single sign-on tests.
// Its development login form takes any login and password: the login is the account id.
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (spaces between), and
// ACCOUNTS, a JSON object of login -> claims (email, email_verified, name, zoneinfo); a
// login not in it gets <login>@acme.example, verified, and no name or zone.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(' '),
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'zoneinfo'],
  },
  async findAccount(ctx, id) {
    const claims = accounts[id] || { email: `${id}@acme.example`, email_verified: true };
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  pkce: { required: () => true },
  cookies: { keys: ['only-for-tests'] },
  features: { devInteractions: { enabled: true } },
});
// Quiet: the tests read failures from the HTTP answers.
provider.on('server_error', (ctx, error) => { console.error(error); });
provider.listen(port, '127.0.0.1', () => { console.log(`ready ${port}`); });
