// GraphiQL against this server's /graphql (queries and mutations over
// HTTP, subscriptions over the graphql-transport-ws websocket), with
// nothing loaded from anywhere else.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/graphiql.css';

const http = new URL('/graphql', window.location.href);
const ws = new URL(http);
ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';

const fetcher = createGraphiQLFetcher({
  url: http.href,
  subscriptionUrl: ws.href,
  // Uploads need this header; sending it always does no harm.
  headers: { 'GraphQL-Preflight': '1' },
});

const defaultQuery = `# Stillroom's GraphQL API. Sign in with
#   mutation { login(email: "…", password: "…") { token } }
# and put {"Authorization": "Bearer <token>"} under Headers below.

query Latest {
  articles(first: 5) {
    edges {
      node {
        title
        slug
        status
        cover { srcset width height blurhash }
      }
    }
  }
}
`;

createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: true,
  }),
);
