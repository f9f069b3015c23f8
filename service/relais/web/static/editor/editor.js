// Relais query editor: YASGUI on this server's /sparql, with the project's prefixes and examples.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("relais-config").textContent);
  var endpoint = new URL("sparql", document.baseURI.replace(/sparql\/?(\?.*)?$/, "")).href;
  document.getElementById("endpoint-url").textContent = endpoint;
  // Offline: prefixes come from this server (the project's own), and the LOV-based property and
  // class autocompleters, which need the network, are left out.
  var prefixApi = new URL("sparql/editor/prefixes.json", document.baseURI).href;
  Yasgui.Yasqe.defaults.prefixCcApi = prefixApi;
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  window.yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,
    yasqe: {
      value: config.starter,
      prefixCcApi: prefixApi,
      autocompleters: ["prefixes", "variables"],
    },
  });
  var tab = window.yasgui.getTab();
  if (tab && tab.getYasqe().getValue().trim() === "") tab.getYasqe().setValue(config.starter);
  if (tab && tab.getYasqe().addPrefixes) {
    try { tab.getYasqe().addPrefixes(config.prefixes); } catch (e) { /* older YASQE */ }
  }
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = config.examples[Number(button.dataset.index)];
      var current = window.yasgui.getTab();
      current.getYasqe().setValue(example.query);
      current.getYasqe().query();
    });
  });
})();
