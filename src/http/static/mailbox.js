// The dev mailbox: each email's three views (HTML, text, headers) become tabs — WAI-ARIA's tabs
// pattern: arrow keys, Home and End move between tabs, Tab goes into the panel. Without this
// script the three stand one under the other, each with its heading.
(function () {
  'use strict';
  document.querySelectorAll('[data-mail-tabs]').forEach(function (views) {
    var panels = Array.prototype.slice.call(views.querySelectorAll(':scope > .mail-view'));
    var list = document.createElement('div');
    list.className = 'mail-tabs';
    list.setAttribute('role', 'tablist');
    list.setAttribute('aria-label', views.getAttribute('data-label'));
    var tabs = panels.map(function (panel) {
      var tab = document.createElement('button');
      tab.type = 'button';
      tab.className = 'mail-tab';
      tab.id = panel.id + '-tab';
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-controls', panel.id);
      tab.textContent = panel.getAttribute('data-tab-name');
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', tab.id);
      panel.setAttribute('tabindex', '0');
      panel.querySelector('.mail-view-title').hidden = true;
      list.appendChild(tab);
      return tab;
    });
    function select(index, focus) {
      tabs.forEach(function (tab, i) {
        tab.setAttribute('aria-selected', i === index ? 'true' : 'false');
        tab.tabIndex = i === index ? 0 : -1;
        panels[i].hidden = i !== index;
      });
      if (focus) tabs[index].focus();
    }
    tabs.forEach(function (tab, index) {
      tab.addEventListener('click', function () { select(index, false); });
      tab.addEventListener('keydown', function (event) {
        var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        select((next + tabs.length) % tabs.length, true);
      });
    });
    views.insertBefore(list, views.firstChild);
    select(0, false);
  });
})();
