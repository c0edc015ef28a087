import EventBus
import Foundation
import JSONBytes
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test("reads as Codable does: whole numbers in Int's range are integers, other numbers doubles", arguments: [
        #"{"a":1,"b":-2.5,"c":"x","d":[true,null],"e":{"f":{}}}"#, "9223372036854775807", "1.5",
        #""\u00e9\ud83d\ude00""#,
        "[[],[[]],{}]", "0", "-7", "4311.0", "1e3", "-2.0E2", "9.5e-1",
    ])
    func agreesWithCodable(json: String) throws {
        let ours = try JSONValue(jsonBytes: Array(json.utf8))
        let codable = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(ours == codable)
        #expect(try JSONValue(jsonBytes: ours.jsonBytes) == ours)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(ours.jsonBytes)) == ours)
    }

    @Test("encoding and decoding through Codable types go through the reader and writer")
    func codableBridges() throws {
        struct Point: Codable, Equatable { var x: Int, y: Double, label: String? }
        let value = try JSONValue(encoding: Point(x: 1, y: 2.5, label: nil))
        #expect(value == ["x": 1, "y": .double(2.5)])
        #expect(try value.decode(as: Point.self) == Point(x: 1, y: 2.5, label: nil))
        #expect(try JSONValue(encoding: "plain") == "plain")
    }
}
