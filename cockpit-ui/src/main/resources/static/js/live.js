// The overview's live region: replaced by the server's rendering whenever the fleet changes.
(function () {
  var region = document.getElementById('live');
  var dot = document.getElementById('live-state');
  if (!region || !window.EventSource) { return; }
  var source = new EventSource('/live/overview');
  source.addEventListener('open', function () { dot.classList.add('on'); dot.textContent = 'live'; });
  source.addEventListener('error', function () { dot.classList.remove('on'); dot.textContent = 'reconnecting…'; });
  source.addEventListener('overview', function (e) {
    var tmp = document.createElement('div');
    tmp.innerHTML = e.data;
    var fresh = tmp.querySelector('#live');
    if (fresh) { region.replaceWith(fresh); region = fresh; }
  });
})();
