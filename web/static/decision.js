// Sends the decision form as JSON, the only body the review API accepts
// (Content-Type application/json, same origin: the API's defence against
// cross-site requests), and reloads the page to show the audit trail.
// Served by Vigil itself; the page allows no other script.
(function () {
  'use strict';
  var form = document.getElementById('decision-form');
  if (!form) return;
  var message = document.getElementById('decision-message');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = { state: form.elements.state.value, reason: form.elements.reason.value };
    if (form.elements.until.value) body.until = form.elements.until.value;
    if (form.elements.renotify_multiple.value) {
      body.renotify_multiple = Number(form.elements.renotify_multiple.value);
    }
    message.textContent = 'Recording\u2026';
    fetch(form.getAttribute('action'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 201) {
        window.location.reload();
        return null;
      }
      return response.json().then(function (answer) {
        message.textContent = 'Not recorded: ' + (answer && answer.error ? answer.error : response.status);
      }, function () {
        message.textContent = 'Not recorded: the service answered ' + response.status + '.';
      });
    }, function () {
      message.textContent = 'Not recorded: the service did not answer.';
    });
  });
})();
