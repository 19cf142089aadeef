/* ElectroPluz: money as the shop writes it, in the browser (chart axes and tooltips).
   The rules come from the page (apps.core.money.money_style), so the server's formatter
   and this one agree: "1.299,99 €" in Spanish, "€1,299.99" in English. */
(function () {
  "use strict";
  window.ElectroPluz = window.ElectroPluz || {};
  window.ElectroPluz.moneyFormat = function (value, style, decimals) {
    var places = decimals === undefined ? 2 : decimals;
    var number = Number(value);
    var parts = Math.abs(number).toFixed(places).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, style.thousands);
    var text = parts.length > 1 ? whole + style.decimal + parts[1] : whole;
    return (number < 0 ? "-" : "") + style.pattern.replace("{amount}", text);
  };
})();
