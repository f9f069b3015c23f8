// Relais query editor: YASGUI on this server's /sparql, with the project's prefixes and examples.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("relais-config").textContent);
  // The page is /sparql or a share link /q/{id}: the server says how to reach /sparql from here.
  var base = config.base || "";
  var endpoint = new URL(base + "sparql", document.baseURI).href;
  document.getElementById("endpoint-url").textContent = endpoint;
  // Offline: the LOV-based property and class autocompleters, which need the network, are left
  // out; completion.js completes prefixes, classes and properties from this server's schema.json.
  var prefixApi = new URL(base + "sparql/editor/prefixes.json", document.baseURI).href;
  var completion = window.relaisCompletion;
  var completers = ["variables"].concat(completion ? completion.names : ["prefixes"]);
  if (completion) completion.load(new URL(config.schema || base + "sparql/schema.json", document.baseURI).href);
  Yasgui.Yasqe.defaults.prefixCcApi = prefixApi;
  Yasgui.Yasqe.defaults.autocompleters = completers;
  window.yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,
    yasqe: {
      value: config.starter,
      prefixCcApi: prefixApi,
      autocompleters: completers,
    },
  });
  var tab = window.yasgui.getTab();
  if (tab && tab.getYasqe().getValue().trim() === "") tab.getYasqe().setValue(config.starter);
  if (!config.shared && tab && tab.getYasqe().addPrefixes) {  // a shared query is shown as it was shared
    try { tab.getYasqe().addPrefixes(config.prefixes); } catch (e) { /* older YASQE */ }
  }
  // Share: POST the query to /q, show the short link it answers with (and copy it when allowed).
  var shareButton = document.getElementById("share");
  var shareOutput = document.getElementById("share-link");
  shareButton.addEventListener("click", function () {
    var query = window.yasgui.getTab().getYasqe().getValue();
    fetch(new URL(base + "q", document.baseURI).href, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query" },
      body: query,
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || response.statusText);
        return new URL(response.headers.get("Location"), document.baseURI).href;
      });
    }).then(function (link) {
      shareOutput.innerHTML = "";
      var a = document.createElement("a");
      a.href = link;
      a.textContent = link;
      a.id = "share-url";
      shareOutput.appendChild(a);
      if (navigator.clipboard) navigator.clipboard.writeText(link).catch(function () {});
    }).catch(function (error) {
      shareOutput.textContent = "Could not share: " + error.message;
    });
  });
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = config.examples[Number(button.dataset.index)];
      var current = window.yasgui.getTab();
      current.getYasqe().setValue(example.query);
      current.getYasqe().query();
    });
  });
})();
