// Solar Gateway's GraphiQL: every asset comes from this gateway, none from a CDN.
// ?q=<document> pre-fills the editor; &run=1 executes it once the page is up (used by the browser test).
(function () {
  var params = new URLSearchParams(window.location.search);
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: "# Solar Gateway: try { org { name projects(first: 5) { nodes { title zip } } } }\n",
    query: params.get("q") || undefined,
    defaultEditorToolsVisibility: true,
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
