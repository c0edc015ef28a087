import JSONBytes
import Testing

@Suite("CardNumberMask")
struct CardNumberMaskTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var input: String
        var expected: String

        init(_ description: String, _ input: String, _ expected: String) {
            testDescription = description
            self.input = input
            self.expected = expected
        }
    }

    @Test("every shape a card number comes in keeps only its last four digits", arguments: [
        Shape("a JSON string", #"{"card":"4242424242424242"}"#, #"{"card":"************4242"}"#),
        Shape("a JSON number, which becomes a string", #"{"card":4242424242424242}"#,
              #"{"card":"************4242"}"#),
        Shape("a number in an array", "[1, 5555555555554444]", #"[1, "************4444"]"#),
        Shape("nested JSON", #"{"data":{"payment":{"card":"5555555555554444","x":[{"y":"378282246310005"}]}}}"#,
              #"{"data":{"payment":{"card":"************4444","x":[{"y":"***********0005"}]}}}"#),
        Shape("a card inside a longer string", #"{"note":"paid with 4242424242424242 today"}"#,
              #"{"note":"paid with ************4242 today"}"#),
        Shape("groups split by spaces", #"{"card":"4242 4242 4242 4242"}"#, #"{"card":"**** **** **** 4242"}"#),
        Shape("groups split by dashes", "card 4242-4242-4242-4242!", "card ****-****-****-4242!"),
        Shape("text that is not JSON", "card=4242424242424242; bad", "card=************4242; bad"),
        Shape("malformed JSON", #"{"card": 4242424242424242, "#, #"{"card": "************4242", "#),
        Shape("a run too long for a card", "42424242424242424242", "****************4242"),
        Shape("a string after an escaped quote", #"{"a":"say \"4242424242424242\""}"#,
              #"{"a":"say \"************4242\""}"#),
        Shape("twelve digits, the shortest card", "424242424242", "********4242"),
        Shape("American Express groups", "amex 3782 822463 10005.", "amex **** ****** *0005."),
        Shape("a card followed by a number", "card 4242424242424242 12", "card ************4242 12"),
    ])
    func masksEveryShape(_ shape: Shape) {
        #expect(CardNumberMask.masked(shape.input) == shape.expected)
        #expect(CardNumberMask.masked(Array(shape.input.utf8)) == Array(shape.expected.utf8))
        #expect(CardNumberMask.containsMaskedNumber(Array(shape.expected.utf8)))
        #expect(CardNumberMask.masked(shape.expected) == shape.expected, "masking twice changes nothing")
    }

    @Test("text without a card number is left as it is", arguments: [
        #"{"orderId":"ord_3f2b424242424242424242424242abcd","amount":250000}"#,
        #"{"id":"12345678-1234-4123-8123-a23456789012"}"#,
        #"{"id":"abcdef12-1234-4123-8123-123456789012"}"#,
        "customer c-424242424242424242",
        "eleven digits 42424242424 are not a card",
        "a word424242424242424242 and 424242424242424242x are not cards",
        "",
        "no digits at all",
        "last4 4242 and time 2026-12-01T01:25:23Z",
        "dead letter 1764553523000-0 and 1764553523000-12 or 1764553523000-1234",
        #"{"id":"1764553523000-0","entries":["1764553523123-7"]}"#,
    ])
    func leavesOtherTextAlone(_ text: String) {
        #expect(CardNumberMask.masked(text) == text)
        #expect(!CardNumberMask.containsMaskedNumber(Array(text.utf8)))
    }
}
