// Relais schema-aware completion for YASQE (YASGUI's editor), offline. After `a` / `rdf:type`: the
// classes the graph uses (label, instance count); after a subject: the properties of its class
// (known from the query's own `?x a C`) first, then the others; after PREFIX: the project's
// prefixes. Everything comes from one same-origin document, sparql/schema.json, fetched once
// per page (the browser revalidates it with its ETag). Uses YASQE's own autocompleter API
// (registerAutocompleter, forkAutocompleter); the suggestions are CodeMirror show-hint objects.
(function () {
  "use strict";
  var Yasqe = window.Yasgui && window.Yasgui.Yasqe;
  var RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
  var LIMIT = 100;
  var api = {
    names: ["relais-prefixes", "relais-classes", "relais-properties"],
    schema: null,
    ready: null,
    error: null,
    timings: [],  // {kind, ms, count}: each suggestion list, from the source's start to its hints
    analyse: analyse,
  };
  window.relaisCompletion = api;
  var index = { prefixes: {}, classes: [], classByIri: {}, properties: [], propertyByKey: {} };

  // --- the schema document ------------------------------------------------------------------
  api.load = function (url) {
    api.ready = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("sparql/schema.json answered " + response.status);
        return response.json();
      })
      .then(function (schema) {
        build(schema);
        return schema;
      })
      .catch(function (error) {
        api.error = error.message;  // completion stays off; the editor itself keeps working
        console.warn("Relais completion is off: " + error.message);
      });
    return api.ready;
  };

  function entry(term, count) {
    var label = term.label || {};
    var words = [label.fr, label.en].filter(Boolean);
    return {
      iri: term.iri,
      curie: term.curie,
      key: term.curie || term.iri,
      label: words.filter(function (w, i) { return words.indexOf(w) === i; }).join(" / "),
      count: count,
      search: words.join(" ").toLowerCase(),
      local: localName(term.iri).toLowerCase(),
    };
  }

  function build(schema) {
    index.prefixes = schema.prefixes || {};
    index.properties = (schema.properties || []).map(function (p) {
      var e = entry(p, p.triples);
      e.subjects = p.subjects;
      return e;
    });
    index.propertyByKey = {};
    index.properties.forEach(function (p) {
      index.propertyByKey[p.key] = p;
      index.propertyByKey[p.iri] = p;
    });
    index.classByIri = {};
    index.classes = (schema.classes || []).map(function (c) {
      var e = entry(c, c.instances);
      e.properties = (c.properties || [])
        .map(function (cp) { return { property: index.propertyByKey[cp.property], subjects: cp.subjects }; })
        .filter(function (cp) { return cp.property; });
      index.classByIri[e.iri] = e;
      return e;
    });
    api.schema = schema;
  }

  function localName(iri) {
    var cut = Math.max(iri.lastIndexOf("#"), iri.lastIndexOf("/"), iri.lastIndexOf(":"));
    return iri.slice(cut + 1);
  }

  // --- reading the query: prefixes, triples, and where the cursor is ------------------------
  var TOKEN = new RegExp(
    [
      "<[^<>\"{}|^`\\\\\\s]*>",  // IRI
      // strings, closed or still open (an open one runs to the end of its line, or of the text)
      '"""[\\s\\S]*?(?:"""|$)', "'''[\\s\\S]*?(?:'''|$)", '"(?:[^"\\\\\\n]|\\\\.)*"?', "'(?:[^'\\\\\\n]|\\\\.)*'?",
      "#[^\\n]*",  // comment
      "\\^\\^",
      "[{}()\\[\\];,.]",
      "[^\\s{}()\\[\\];,\"'<#.]+(?:\\.[^\\s{}()\\[\\];,\"'<#.]+)*",  // names, variables, numbers: inner dots only
    ].join("|"),
    "g"
  );
  var GROUP_KEYWORDS = { OPTIONAL: 1, MINUS: 1, UNION: 1, LATERAL: 1, NOT: 1, EXISTS: 1, SILENT: 1 };
  var SKIP_TERM = { GRAPH: 1, SERVICE: 1 };
  var EXPRESSION = { FILTER: 1, BIND: 1 };
  var QUERY_FORMS = { SELECT: 1, CONSTRUCT: 1, DESCRIBE: 1, ASK: 1 };
  var MODIFIERS = { GROUP: 1, ORDER: 1, HAVING: 1, LIMIT: 1, OFFSET: 1 };

  // One pass over the text: the PREFIX declarations, the subjects' rdf:types and, at `cursor`
  // (an offset), what the grammar expects there (subject, verb or object) and the current subject
  // and verb. A small reader, not a parser: good enough to place a suggestion, never to validate.
  function analyse(text, cursor) {
    var tokens = [], m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text))) tokens.push({ s: m[0], start: m.index, end: m.index + m[0].length });
    var prefixes = {}, types = {}, at = null;
    var depth = 0, expect = "subject", subject = null, verb = null, stack = [];
    var skip = null;  // while in a part without triples: {paren: n} an expression, {braces: n} VALUES, {} up to a brace
    var skipNext = false;  // the graph name after GRAPH / SERVICE (SILENT), the datatype after ^^
    for (var i = 0; i < tokens.length; i++) {
      var t = tokens[i], s = t.s, upper = s.toUpperCase();
      if (at === null && t.end >= cursor) {
        var quoted = t.start < cursor && (s[0] === "#" || s[0] === '"' || s[0] === "'");  // inside a comment or a string
        at = { expect: quoted || skip || depth === 0 ? null : expect, subject: subject, verb: verb };
      }
      if (s[0] === "#") continue;
      if (upper === "PREFIX" && tokens[i + 2] && /:$/.test(tokens[i + 1].s) && tokens[i + 2].s[0] === "<") {
        prefixes[tokens[i + 1].s.slice(0, -1)] = tokens[i + 2].s.slice(1, -1);
        i += 2;
        continue;
      }
      if (skip) {
        if (skip.paren !== undefined) {  // an expression: up to its closing parenthesis
          if (s === "(") skip.paren++;
          else if (s === ")" && --skip.paren === 0) skip = null;
          else if (skip.paren === 0 && (upper === "NOT" || upper === "EXISTS")) skip = null;  // FILTER NOT EXISTS { ... }
        } else if (skip.braces !== undefined) {  // a VALUES block
          if (s === "{") skip.braces++;
          else if (s === "}" && --skip.braces === 0) skip = null;
        } else if (s === "{" || s === "}") {  // a query form or solution modifiers: up to the next brace
          skip = null;
          i--;
        }
        continue;
      }
      if (skipNext) { if (upper !== "SILENT") skipNext = false; continue; }
      if (s === "{") { depth++; expect = "subject"; subject = verb = null; continue; }
      if (s === "}") { depth = Math.max(0, depth - 1); expect = "subject"; subject = verb = null; stack = []; continue; }
      if (depth === 0) continue;  // the prologue, the query form, the solution modifiers
      if (s === ".") { expect = "subject"; subject = verb = null; continue; }
      if (s === ";") { expect = "verb"; verb = null; continue; }
      if (s === ",") { expect = "object"; continue; }
      if (s === "^^") { skipNext = true; continue; }
      if (s[0] === "@" && expect === "after") continue;  // a language tag
      if (s === "[") {
        stack.push({ subject: subject, verb: verb, expect: expect });
        subject = "_:b" + t.start;
        expect = "verb";
        verb = null;
        continue;
      }
      if (s === "]") {
        var node = subject, outer = stack.pop() || { subject: null, verb: null, expect: "subject" };
        subject = outer.subject;
        verb = outer.verb;
        if (outer.expect === "subject") { subject = node; expect = "verb"; }
        else { record(subject, verb, node); expect = "after"; }
        continue;
      }
      if (expect === "subject" && /^[A-Za-z]+$/.test(s)) {
        if (GROUP_KEYWORDS[upper]) continue;
        if (SKIP_TERM[upper]) { skipNext = true; continue; }
        if (EXPRESSION[upper]) { skip = { paren: 0 }; continue; }
        if (upper === "VALUES") { skip = { braces: 0 }; continue; }
        if (QUERY_FORMS[upper] || MODIFIERS[upper]) { skip = {}; continue; }
      }
      if (s === "(") { skip = { paren: 1 }; if (expect === "object") expect = "after"; continue; }  // a collection or expression
      if (expect === "subject") { subject = s; expect = "verb"; }
      else if (expect === "verb") { verb = s; expect = "object"; }
      else if (expect === "object") { record(subject, verb, s); expect = "after"; }
    }
    if (at === null) at = { expect: skip || depth === 0 ? null : expect, subject: subject, verb: verb };
    return { prefixes: prefixes, types: types, at: at };

    function record(s, v, o) {
      if (s === null || v === null) return;
      if (v === "a" || expand(v, prefixes) === RDF_TYPE) {
        var iri = expand(o, prefixes);
        if (iri) (types[s] = types[s] || []).push(iri);
      }
    }
  }

  // A term's IRI: <iri>, or a prefixed name by the query's prefixes (else the project's).
  function expand(term, prefixes) {
    if (!term) return null;
    if (term[0] === "<") return term.slice(1, -1);
    var colon = term.indexOf(":");
    if (colon < 0 || term[0] === "?" || term[0] === "$" || term[0] === "_") return null;
    var name = term.slice(0, colon);
    var ns = prefixes[name] !== undefined ? prefixes[name] : index.prefixes[name];
    return ns === undefined ? null : ns + term.slice(colon + 1);
  }

  // The word being typed at the cursor (the part a suggestion replaces), as a CodeMirror range.
  function wordAt(yasqe) {
    var cursor = yasqe.getDoc().getCursor();
    var line = yasqe.getDoc().getLine(cursor.line);
    var before = /[^\s{}()\[\];,]*$/.exec(line.slice(0, cursor.ch))[0];
    var after = /^[^\s{}()\[\];,]*/.exec(line.slice(cursor.ch))[0];
    if (/\.$/.test(after)) after = after.replace(/\.+$/, "");
    return {
      text: before,
      from: { line: cursor.line, ch: cursor.ch - before.length },
      to: { line: cursor.line, ch: cursor.ch + after.length },
    };
  }

  function context(yasqe) {
    var doc = yasqe.getDoc();
    var text = doc.getValue();
    var offset = doc.indexFromPos(doc.getCursor());
    var key = offset + ":" + text;
    if (context.key !== key) {
      context.key = key;
      context.value = analyse(text, offset);
    }
    return context.value;
  }

  function isType(verb, prefixes) {
    return verb === "a" || expand(verb, prefixes) === RDF_TYPE;
  }

  // --- matching and ranking -----------------------------------------------------------------
  function matcher(typed, prefixes) {
    var q = typed.replace(/^</, "").replace(/>$/, "");
    var lower = q.toLowerCase();
    var iri = q.indexOf(":") > 0 && typed[0] !== "<" ? expand(q, prefixes) : typed[0] === "<" ? q : null;
    var local = lower.slice(lower.indexOf(":") + 1);
    return function (item) {
      if (!q) return 1;
      if (iri && item.iri.indexOf(iri) === 0) return 1;
      if (item.key.toLowerCase().indexOf(lower) === 0) return 1;
      if (local && item.local.indexOf(local) === 0) return 2;
      if (q.indexOf(":") < 0 && item.search.indexOf(lower) >= 0) return 3;
      return 0;
    };
  }

  // How the query can name `iri`: a prefix it declares, else the project's CURIE (declaring it), else <iri>.
  function naming(iri, curie, prefixes) {
    var best = null;
    for (var name in prefixes) {
      var ns = prefixes[name];
      if (iri.indexOf(ns) === 0 && /^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$|^$/.test(iri.slice(ns.length)) && (best === null || ns.length > prefixes[best].length)) best = name;
    }
    if (best !== null) return { text: best + ":" + iri.slice(prefixes[best].length), declare: null };
    if (curie) {
      var name2 = curie.slice(0, curie.indexOf(":"));
      if (prefixes[name2] === undefined) return { text: curie, declare: name2 };
    }
    return { text: "<" + iri + ">", declare: null };
  }

  var pending = {};  // per completer: the suggestions its source returned, until they become hints

  function source(kind, yasqe, produce) {
    var started = performance.now();
    if (!api.schema) {
      // Not loaded yet (or failed): wait for it once, then answer from it.
      return (api.ready || Promise.resolve()).then(function () { return api.schema ? source(kind, yasqe, produce) : []; });
    }
    var word = wordAt(yasqe);
    var items = produce(context(yasqe), word);
    pending[kind] = { started: started, source: performance.now() - started, items: items, word: word };
    return items.map(function (item) { return item.text; });
  }

  function hints(kind, yasqe, list) {
    var batch = pending[kind];
    if (!batch) return list;
    pending[kind] = null;
    var out = list.map(function (hint, i) {
      var item = batch.items[i];
      return {
        text: item.text,
        displayText: item.text,
        from: batch.word.from || hint.from,  // the prefix completer keeps YASQE's own range and insertion
        to: batch.word.to || hint.to,
        className: "relais-hint",
        item: item,
        render: render,
        hint: item.kind === "prefix" ? undefined : apply,
      };
    });
    if (!out.length && /^[?$]/.test(batch.word.text || "")) {
      // A variable where a class or property could go: make way for YASQE's variable completer.
      setTimeout(function () {
        if (yasqe.state.completionActive) yasqe.state.completionActive.close();
        again(yasqe);
      }, 0);
    }
    // ms: the source (reading the query, matching, ranking); total: until the hints are ready.
    api.timings.push({ kind: kind, ms: batch.source, total: performance.now() - batch.started, count: out.length });
    if (api.timings.length > 200) api.timings.shift();
    return out;
  }

  function render(element, _data, completion) {
    var item = completion.item;
    element.setAttribute("data-iri", item.iri || "");
    element.setAttribute("data-kind", item.kind);
    element.title = item.iri || "";
    [["relais-hint-name", item.display || item.text], ["relais-hint-label", item.label], ["relais-hint-count", item.note]].forEach(function (part) {
      if (!part[1]) return;
      var span = document.createElement("span");
      span.className = part[0];
      span.textContent = part[1];
      element.appendChild(span);
    });
  }

  function apply(cm, data, completion) {
    cm.getDoc().replaceRange(completion.text, completion.from || data.from, completion.to || data.to, "complete");
    var declare = completion.item.declare;
    if (declare && cm.getPrefixesFromQuery()[declare] === undefined) {
      var add = {};
      add[declare] = index.prefixes[declare];
      cm.addPrefixes(add);
    }
  }

  function count(n) {  // 12,345 (not toLocaleString: its first call loads ICU data, ~100 ms)
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // --- the three completers -----------------------------------------------------------------
  function classes(ctx, word) {
    var match = matcher(word.text, ctx.prefixes);
    var found = [];
    index.classes.forEach(function (c) {
      var rank = match(c);
      if (rank) found.push({ c: c, rank: rank });
    });
    found.sort(function (a, b) { return a.rank - b.rank || b.c.count - a.c.count; });
    return found.slice(0, LIMIT).map(function (f) {
      var named = naming(f.c.iri, f.c.curie, ctx.prefixes);
      return { kind: "class", iri: f.c.iri, text: named.text, declare: named.declare, label: f.c.label, note: count(f.c.count) + " instances" };
    }).filter(function (item, _, all) { return !(all.length === 1 && item.text === word.text); });
  }

  function properties(ctx, word) {
    var match = matcher(word.text, ctx.prefixes);
    var known = (ctx.at.subject && ctx.types[ctx.at.subject]) || [];
    var own = {}, found = [];
    known.forEach(function (iri) {
      var c = index.classByIri[iri];
      if (!c) return;
      c.properties.forEach(function (cp) {
        var p = cp.property, seen = own[p.iri];
        if (!seen || cp.subjects > seen.subjects) own[p.iri] = { subjects: cp.subjects, of: c };
      });
    });
    index.properties.forEach(function (p) {
      var rank = match(p);
      if (rank) found.push({ p: p, rank: rank, own: own[p.iri] });
    });
    found.sort(function (a, b) {
      return (a.own ? 0 : 1) - (b.own ? 0 : 1) || a.rank - b.rank || (a.own && b.own ? b.own.subjects - a.own.subjects : b.p.count - a.p.count);
    });
    return found.slice(0, LIMIT).map(function (f) {
      var named = naming(f.p.iri, f.p.curie, ctx.prefixes);
      var note = f.own ? count(f.own.subjects) + " of " + count(f.own.of.count) + " " + f.own.of.key : count(f.p.count) + " triples";
      return { kind: f.own ? "class-property" : "property", iri: f.p.iri, text: named.text, declare: named.declare, label: f.p.label, note: note };
    }).filter(function (item, _, all) { return !(all.length === 1 && item.text === word.text); });
  }

  // Shown on Ctrl-Space, and by themselves only right after typing (not on every click).
  var explicit = false;
  function wanted(yasqe) {
    return explicit || yasqe.relaisTyped === true;
  }

  function setUp(yasqe) {
    if (yasqe.relaisCompletion) return;
    yasqe.relaisCompletion = true;
    yasqe.on("change", function () {
      yasqe.relaisTyped = true;
      setTimeout(function () { yasqe.relaisTyped = false; }, 0);
    });
    // YASQE does not show a completer while another's list is open, and a space closes a list:
    // after "?x a " the properties' list closes, so ask again, as the user is still typing.
    // (CodeMirror's endCompletion: YASQE's autocompletionClose misses a list that became empty.)
    yasqe.on("endCompletion", function () {
      if (yasqe.relaisTyped) setTimeout(function () { again(yasqe); }, 0);
    });
    yasqe.addKeyMap({
      "Ctrl-Space": function (cm) {
        explicit = true;
        try { cm.autocomplete(); } finally { explicit = false; }
      },
    });
  }

  function again(yasqe) {
    if (yasqe.state.completionActive) return;
    explicit = true;
    try { yasqe.autocomplete(true); } finally { explicit = false; }
  }

  function notVariable(yasqe) {
    var word = wordAt(yasqe).text;
    return word[0] !== "?" && word[0] !== "$" && word[0] !== '"' && word[0] !== "'";
  }

  if (!Yasqe) return;

  Yasqe.registerAutocompleter({
    name: "relais-classes",
    bulk: false,
    autoShow: true,
    onInitialize: setUp,
    isValidCompletionPosition: function (yasqe) {
      if (!wanted(yasqe) || !notVariable(yasqe)) return false;
      var at = context(yasqe).at;
      return at.expect === "object" && isType(at.verb, context(yasqe).prefixes);
    },
    get: function (yasqe) { return source("relais-classes", yasqe, classes); },
    postprocessHints: function (yasqe, list) { return hints("relais-classes", yasqe, list); },
  }, false);

  Yasqe.registerAutocompleter({
    name: "relais-properties",
    bulk: false,
    autoShow: true,
    onInitialize: setUp,
    isValidCompletionPosition: function (yasqe) {
      return wanted(yasqe) && notVariable(yasqe) && context(yasqe).at.expect === "verb";
    },
    get: function (yasqe) { return source("relais-properties", yasqe, properties); },
    postprocessHints: function (yasqe, list) { return hints("relais-properties", yasqe, list); },
  }, false);

  // PREFIX: YASQE's own prefix completer (where it applies, and adding a PREFIX line when a
  // known prefix is typed undeclared), fed from the schema document instead of prefix.cc.
  Yasqe.forkAutocompleter("prefixes", {
    name: "relais-prefixes",
    bulk: false,
    persistenceId: null,
    get: function (yasqe, token) {
      var started = performance.now();
      var answer = function () {
        var typed = ((token && (token.autocompletionString || token.string)) || "").trim();
        var items = Object.keys(index.prefixes).sort().map(function (name) {
          var iri = index.prefixes[name];
          return { kind: "prefix", iri: iri, text: name + ": <" + iri + ">", display: name + ":", label: "<" + iri + ">", note: "" };
        }).filter(function (item) { return item.text.indexOf(typed) === 0; });
        pending["relais-prefixes"] = { started: started, source: performance.now() - started, items: items, word: {} };
        return items.map(function (item) { return item.text; });
      };
      if (api.schema) return answer();
      return (api.ready || Promise.resolve()).then(function () { started = performance.now(); return answer(); });
    },
    postprocessHints: function (yasqe, list) { return hints("relais-prefixes", yasqe, list); },
  }, false);
})();
