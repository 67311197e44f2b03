// Chamado: the knowledge base. Without JavaScript everything still works
// (the vote is a form POST, the ticket form has a link that searches the
// base). With it:
//  - "Esta resposta lhe foi útil?" votes with fetch() and updates the tally
//    ("N Usuários acharam útil (M Votos)") without reloading the page;
//  - on Abrir Ticket, typing the Assunto asks /kb/suggest for up to five
//    articles and lists them under "Talvez isto resolva:".
// Texts come from the page (already translated); nothing is built as HTML.
(function () {
  'use strict';

  // ---- votes -----------------------------------------------------------------
  var voteBoxes = document.querySelectorAll('[data-kb-vote]');
  Array.prototype.forEach.call(voteBoxes, function (box) {
    var form = box.querySelector('form');
    var tally = box.querySelector('[data-kb-tally]');
    var status = box.querySelector('[data-kb-vote-status]');
    if (!form || !tally || !status || !window.fetch || !window.URLSearchParams) return;
    var buttons = form.querySelectorAll('button[name="helpful"]');
    var busy = false;

    form.addEventListener('submit', function (event) {
      var button = event.submitter;
      if (!button || button.name !== 'helpful') return; // let the browser post it
      event.preventDefault();
      if (busy) return;
      busy = true;
      var body = new URLSearchParams();
      body.append('csrf', form.querySelector('input[name="csrf"]').value);
      body.append('helpful', button.value);
      fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: body.toString()
      }).then(function (res) {
        return res.json().then(function (data) { return { ok: res.ok, data: data }; });
      }).then(function (r) {
        busy = false;
        if (!r.ok) {
          status.textContent = r.data && r.data.error ? r.data.error : '';
          return;
        }
        tally.textContent = r.data.tally;
        status.textContent = r.data.message || '';
        Array.prototype.forEach.call(buttons, function (b) {
          b.setAttribute('aria-pressed', b === button ? 'true' : 'false');
        });
      }).catch(function () {
        busy = false;
        form.submit(); // the plain form still works
      });
    });
  });

  // ---- suggestions on Abrir Ticket --------------------------------------------
  var suggest = document.querySelector('[data-kb-suggest]');
  var subject = document.getElementById('subject');
  if (!suggest || !subject || !window.fetch) return;
  var box = suggest.querySelector('[data-kb-suggest-box]');
  var list = suggest.querySelector('[data-kb-suggest-list]');
  var searchLink = suggest.querySelector('[data-kb-search-link]');
  var url = suggest.getAttribute('data-url');
  var timer = null;
  var sequence = 0;
  var last = null;

  function show(articles) {
    while (list.firstChild) list.removeChild(list.firstChild);
    articles.forEach(function (a) {
      var li = document.createElement('li');
      var link = document.createElement('a');
      link.href = a.url;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = a.title;
      li.appendChild(link);
      if (a.category) {
        var category = document.createElement('span');
        category.className = 'muted';
        category.textContent = ' · ' + a.category;
        li.appendChild(category);
      }
      list.appendChild(li);
    });
    box.hidden = articles.length === 0;
  }

  function lookUp() {
    var q = subject.value.trim();
    if (searchLink) searchLink.href = '/kb/search' + (q ? '?q=' + encodeURIComponent(q) : '');
    if (q === last) return;
    last = q;
    if (q.length < 3) {
      show([]);
      return;
    }
    var mine = ++sequence;
    fetch(url + '?q=' + encodeURIComponent(q), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : { articles: [] }; })
      .then(function (data) {
        if (mine === sequence) show(data.articles || []);
      })
      .catch(function () { /* suggestions are a help, never in the way */ });
  }

  subject.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 250);
  });
  lookUp();
})();
