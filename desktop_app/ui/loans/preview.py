"""The Schedule preview tab: a schedule before approval (a quote for a client)."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import loans as L
from desktop_app.i18n import Domain, format_date, format_money
from desktop_app.i18n.formats import decimal_text
from desktop_app.store.loans import queries as loan_queries
from desktop_app.ui.widgets import DataTable, DateEntry, MoneyEntry, RefCombo, compact_combo

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


class PreviewTab(QWidget):
    """Schedule preview before approval (quote for a client)."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        form = QGridLayout()
        self.product = RefCombo(ctx.conn, "loan_product", blank=lambda: _("(own terms)"))
        self.currency = QComboBox()
        for cur in L.CURRENCIES:
            self.currency.addItem(cur, cur)
        self.amount = MoneyEntry(self.currency.currentData())
        self.amount.setText("10000")
        self.currency.currentIndexChanged.connect(
            lambda _index: self.amount.set_currency(self.currency.currentData()))
        self.rate = QLineEdit()
        self.term = QSpinBox()
        self.term.setRange(1, 260)
        self.frequency = QComboBox()
        self.method = QComboBox()
        self.amortisation = QComboBox()
        self.grace = QSpinBox()
        self.grace.setRange(0, 259)
        self.start = DateEntry()
        self.labels = [QLabel() for _i in range(10)]
        widgets = [self.product, self.amount, self.currency, self.rate, self.term,
                   self.frequency, self.method, self.amortisation, self.grace, self.start]
        for combo in (self.product, self.currency, self.frequency, self.method,
                      self.amortisation):
            compact_combo(combo, 14)
        for i, (lab, w) in enumerate(zip(self.labels, widgets, strict=True)):
            form.addWidget(lab, i // 2, (i % 2) * 2)
            form.addWidget(w, i // 2, (i % 2) * 2 + 1)
        layout.addLayout(form)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        layout.addWidget(self.totals)
        self.table = DataTable(6)
        layout.addWidget(self.table)
        self.product.currentIndexChanged.connect(self._product_changed)
        for w in (self.amount, self.rate):
            w.textChanged.connect(self.update_preview)
        for w in (self.currency, self.frequency, self.method, self.amortisation):
            w.currentIndexChanged.connect(self.update_preview)
        for w in (self.term, self.grace):
            w.valueChanged.connect(self.update_preview)
        self.start.dateChanged.connect(self.update_preview)
        self.retranslate()

    def retranslate(self) -> None:
        texts = [_("Loan product"), _("Amount"), _("Currency"), _("Yearly rate, %"),
                 _("Instalments"), _("Frequency"), _("Interest method"), _("Amortisation"),
                 _("Grace (instalments)"), _("Disbursement date")]
        for lab, text in zip(self.labels, texts, strict=True):
            lab.setText(text)
        for combo, options in ((self.frequency, L.FREQUENCIES), (self.method, L.METHODS),
                               (self.amortisation, L.AMORTISATIONS)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for code, label in options.items():
                combo.addItem(_(label), code)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        self.product.retranslate()
        self.table.setHorizontalHeaderLabels([_("No."), _("Due date"), _("Principal"),
                                              _("Interest"), _("Payment"), _("Balance")])
        if self.product.code() is None and self.product.count() > 1 and not self.rate.text():
            self.product.setCurrentIndex(1)
        self.update_preview()

    def _product_changed(self) -> None:
        code = self.product.code()
        if code:
            t = loan_queries.product_terms(self.ctx.conn, code)
            for w in (self.rate, self.term, self.grace, self.frequency, self.method,
                      self.amortisation):
                w.blockSignals(True)
            self.rate.setText(decimal_text(t["annual_rate"]))   # 18,5 in ru, tg, uz
            self.term.setValue(t["term"])
            self.grace.setValue(t["grace"])
            self.frequency.setCurrentIndex(self.frequency.findData(t["frequency"]))
            self.method.setCurrentIndex(self.method.findData(t["method"]))
            self.amortisation.setCurrentIndex(self.amortisation.findData(t["amortisation"]))
            for w in (self.rate, self.term, self.grace, self.frequency, self.method,
                      self.amortisation):
                w.blockSignals(False)
        self.update_preview()

    def update_preview(self) -> None:
        cur = self.currency.currentData() or "TJS"
        try:
            amount = L.parse_amount(self.amount.text(), cur)
            try:
                rate = Decimal((self.rate.text() or "0").replace(",", "."))
            except ArithmeticError:
                raise L.LoanError(_("{text} is not a rate in percent.").format(
                    text=self.rate.text())) from None
            terms = L.Terms(amount, cur, rate, self.term.value(),
                            self.frequency.currentData() or "monthly",
                            self.method.currentData() or "declining",
                            self.amortisation.currentData() or "equal_instalments",
                            self.grace.value())
            rows = L.schedule(terms, self.start.value())
        except (L.LoanError, ArithmeticError) as exc:
            self.totals.setStyleSheet("color: #b00020")
            self.totals.setText(str(exc))
            self.table.set_rows([])
            return
        principal, interest = L.schedule_totals(rows)
        self.totals.setStyleSheet("")
        self.totals.setText(_("Total to repay {total}: principal {principal}, interest "
                              "{interest}.").format(total=format_money(principal + interest, cur),
                                                    principal=format_money(principal, cur),
                                                    interest=format_money(interest, cur)))
        self.table.set_rows([(r.number, format_date(r.due_date), format_money(r.principal, cur),
                              format_money(r.interest, cur), format_money(r.total, cur),
                              format_money(r.balance_after, cur)) for r in rows],
                            right={2, 3, 4, 5})
        self.table.resizeColumnsToContents()
