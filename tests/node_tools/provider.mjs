// A real OpenID Connect provider (panva/node-oidc-provider) for the single sign-on tests.
// Its development login form takes any login and password: the login is the account id.
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS and POST_LOGOUT_REDIRECT_URIS
// (spaces between), SINGLE_LOGOUT ("off": no end_session_endpoint), and ACCOUNTS, a JSON
// object of login -> claims (email, email_verified, name, zoneinfo, groups); a login not in
// it gets <login>@acme.example, verified, and no name, zone or groups.
// PUT /test/accounts/<login> with a JSON body replaces that account's claims, as a company
// directory moves a person between groups between two log-ins.
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const postLogoutRedirectUris = (process.env.POST_LOGOUT_REDIRECT_URIS || '').split(' ').filter(Boolean);

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(' '),
    post_logout_redirect_uris: postLogoutRedirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'zoneinfo', 'groups'],
  },
  async findAccount(ctx, id) {
    const claims = accounts[id] || { email: `${id}@acme.example`, email_verified: true };
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  pkce: { required: () => true },
  cookies: { keys: ['only-for-tests'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: process.env.SINGLE_LOGOUT !== 'off' },
  },
});
// Quiet: the tests read failures from the HTTP answers.
provider.on('server_error', (ctx, error) => { console.error(error); });

const ACCOUNT_PATH = /^\/test\/accounts\/([^/]+)$/;
const handle = provider.callback();
const server = http.createServer((request, response) => {
  const account = request.method === 'PUT' && ACCOUNT_PATH.exec(request.url);
  if (!account) {
    handle(request, response);
    return;
  }
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => { body += chunk; });
  request.on('end', () => {
    try {
      accounts[decodeURIComponent(account[1])] = JSON.parse(body);
      response.writeHead(204).end();
    } catch (error) {
      response.writeHead(400).end(String(error));
    }
  });
});
server.listen(port, '127.0.0.1', () => { console.log(`ready ${port}`); });
