// Chamado: attachments on the ticket forms. Without JavaScript the plain form
// works the same; with it, a file that is too big (or too many files) is
// reported before anything is sent, and a progress bar shows the upload.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-upload-form]');
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector('input[type=file]');
    var errorBox = form.querySelector('[data-upload-error]');
    var bar = form.querySelector('[data-upload-progress]');
    if (!input || !errorBox || !bar || !window.FormData || !window.XMLHttpRequest) return;
    var lang = document.documentElement.lang;
    var pt = lang.indexOf('pt') === 0;
    var maxFiles = parseInt(input.getAttribute('data-max-files'), 10);
    var maxBytes = parseInt(input.getAttribute('data-max-bytes'), 10);
    var exts = (input.getAttribute('data-extensions') || '').split(',');

    function problem() {
      var files = input.files || [];
      if (files.length > maxFiles) {
        return pt ? 'Envie no máximo ' + maxFiles + ' arquivos.' : 'Send at most ' + maxFiles + ' files.';
      }
      for (var i = 0; i < files.length; i++) {
        var f = files[i];
        var ext = f.name.lastIndexOf('.') >= 0 ? f.name.slice(f.name.lastIndexOf('.') + 1).toLowerCase() : '';
        if (exts.indexOf(ext) < 0) {
          return (pt ? 'O arquivo ' + f.name + ' não é de um tipo aceito (' : 'The file ' + f.name + ' is not of an accepted type (') + exts.join(', ') + ').';
        }
        if (f.size > maxBytes) {
          var mb = Math.round(maxBytes / 1048576);
          return (pt ? 'O arquivo ' + f.name + ' passa do limite de ' : 'The file ' + f.name + ' is over the limit of ') + mb + ' MB.';
        }
      }
      return '';
    }

    function show(text) {
      errorBox.textContent = text;
      errorBox.hidden = !text;
      if (text) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    }

    input.addEventListener('change', function () { show(problem()); });

    form.addEventListener('submit', function (ev) {
      var text = problem();
      if (text) {
        ev.preventDefault();
        show(text);
        input.focus();
        return;
      }
      if (!input.files || input.files.length === 0) return; // nothing to show progress for
      ev.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      bar.hidden = false;
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener('load', function () {
        // The server answered with the next page (after its redirect, or the
        // form again with errors): show it, at its own address.
        if (xhr.responseURL && xhr.status < 400) history.replaceState(null, '', xhr.responseURL);
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener('error', function () {
        bar.hidden = true;
        show(pt ? 'O envio falhou. Confira sua conexão e tente de novo.' : 'The upload failed. Check your connection and try again.');
      });
      var buttons = form.querySelectorAll('button[type=submit]');
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      xhr.send(new FormData(form));
    });
  });
})();
