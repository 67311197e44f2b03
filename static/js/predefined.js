// Predefined replies: "Insert" puts the chosen text at the cursor of the
// reply box, keeping what was typed. Without JavaScript the button posts the
// form to /insert and the page comes back with the text appended.
(function () {
  'use strict';
  document.querySelectorAll('[data-predefined]').forEach(function (box) {
    var form = box.closest('form');
    var select = box.querySelector('select');
    var button = box.querySelector('button');
    var reply = form && form.querySelector('textarea[name="message"]');
    if (!select || !button || !reply || typeof reply.setRangeText !== 'function') return;
    button.addEventListener('click', function (event) {
      var option = select.options[select.selectedIndex];
      var text = option && option.getAttribute('data-body');
      if (text === null || text === undefined) return;
      event.preventDefault();
      var start = reply.selectionStart, end = reply.selectionEnd;
      var before = reply.value.slice(0, start);
      // A separate paragraph when inserted after typed text.
      var lead = before && !/\n\s*$/.test(before) ? '\n\n' : '';
      reply.setRangeText(lead + text, start, end, 'end');
      reply.dispatchEvent(new Event('input', { bubbles: true }));
      reply.focus();
    });
  });
})();
