// Solar Gateway's GraphiQL: every asset comes from this gateway, none from a CDN.
// The page carries its defaults (the README's "Try it" query, the auth header's shape) as JSON.
// ?q=<document> pre-fills the editor; &run=1 executes it once the page is up (used by the browser tests).
(function () {
  var params = new URLSearchParams(window.location.search);
  var defaults = JSON.parse(document.getElementById("graphiql-defaults").textContent);
  var url = window.location.origin + "/graphql";
  var socketUrl = url.replace(/^http/, "ws");
  // Subscriptions go over graphql-transport-ws on the same origin; a browser cannot set headers on a
  // WebSocket, so the headers editor's values travel in connection_init (one client per header set).
  var clients = {};
  function wsClient(headers) {
    var key = JSON.stringify(headers || {});
    if (!clients[key]) {
      clients[key] = graphqlWs.createClient({ url: socketUrl, connectionParams: headers || {}, lazy: true });
    }
    return clients[key];
  }
  function fetcher(graphQLParams, options) {
    var headers = (options && options.headers) || {};
    return GraphiQL.createFetcher({ url: url, wsClient: wsClient(headers) })(graphQLParams, options);
  }
  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaults.query,
    query: params.get("q") || undefined,
    defaultHeaders: defaults.headers,
    defaultEditorToolsVisibility: true,
    plugins: [explorer],
    visiblePlugin: explorer,
  }));
  if (params.get("run") === "1") {
    var tries = 0;
    var run = function () {
      var button = document.querySelector(".graphiql-execute-button");
      if (button) { button.click(); } else if (tries++ < 100) { setTimeout(run, 100); }
    };
    setTimeout(run, 200);
  }
})();
