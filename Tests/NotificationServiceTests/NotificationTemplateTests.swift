import NotificationService
import SagaEvents
import Testing

@Suite struct NotificationTemplateTests {
    @Test(arguments: [
        (0, "0.00 USD"), (5, "0.05 USD"), (10, "0.10 USD"), (99, "0.99 USD"), (100, "1.00 USD"),
        (1250, "12.50 USD"), (100_000, "1000.00 USD"), (-1250, "-12.50 USD"), (-5, "-0.05 USD"),
        (Int.max, "92233720368547758.07 USD"),
    ])
    func moneyIsWrittenInMajorUnitsWithTwoDecimals(amount: Int, text: String) {
        #expect(NotificationTemplate.money(amount, "USD") == text)
    }

    @Test func moneyNamesTheCurrency() {
        #expect(NotificationTemplate.money(1999, "EUR") == "19.99 EUR")
    }

    @Test
    func theSmallestAmountIsWrittenWithoutCrashing() {
        #expect(NotificationTemplate.money(Int.min, "USD") == "-92233720368547758.08 USD")
    }

    @Test func renderFillsEveryPlaceholder() {
        let text = NotificationTemplate.orderConfirmed.render(["orderId": "o-1", "amount": "12.50 USD"])
        #expect(text == "Your order o-1 is confirmed: 12.50 USD charged. Thank you!")
    }

    @Test func renderLeavesAnUnknownPlaceholderAsItIs() {
        let template = NotificationTemplate(name: "t", text: "Hi {customerId}, see {missing}.")
        #expect(template.render(["customerId": "c-1"]) == "Hi c-1, see {missing}.")
    }

    @Test func renderDoesNotExpandPlaceholdersInsideValues() {
        let template = NotificationTemplate(name: "t", text: "{a} and {b}")
        #expect(template.render(["a": "{b}", "b": "B"]) == "{b} and B")
    }

    @Test(arguments: [
        ("no placeholders", "no placeholders"),
        ("open { never closed", "open { never closed"),
        ("closed } first {x}", "closed } first X"),
        ("{x}{x}", "XX"),
        ("{}", "{}"),
        ("", ""),
    ])
    func renderHandlesOddTemplates(text: String, rendered: String) {
        #expect(NotificationTemplate(name: "t", text: text).render(["x": "X"]) == rendered)
    }

    @Test(arguments: [
        ("out_of_stock", "an item is out of stock"),
        ("unknown_sku", "an item is not in our catalog"),
        ("invalid_order", "the order was not valid"),
        ("card_declined", "the card was declined"),
        ("insufficient_funds", "the card has insufficient funds"),
        ("invalid_card", "the card number is not valid"),
        ("provider_unavailable", "the payment provider is unavailable"),
        ("something_new", "something_new"),
    ])
    func reasonCodesAreSaidInWords(code: String, words: String) {
        #expect(NotificationTemplate.reason(code) == words)
    }

    @Test func everyReasonCodeOfTheContractHasWords() {
        let codes = StockRejection.allCases.map(\.rawValue) + PaymentFailure.allCases.map(\.rawValue)
        for code in codes {
            #expect(NotificationTemplate.reason(code) != code, "\(code) has no words")
        }
    }
}
