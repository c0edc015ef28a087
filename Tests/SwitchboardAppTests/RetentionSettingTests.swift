import Foundation
@testable import SwitchboardApp
import Testing

@Suite("retention and idle consumer settings")
struct RetentionSettingTests {
    private func load(_ json: String) throws -> ResolvedSettings {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-\(UUID()).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var flags = GlobalFlags()
        flags.configPath = path
        return try SettingsLoader(environment: [:], searchPaths: []).resolve(flags: flags)
    }

    @Test("30 days unless the settings file says otherwise; switchboard config shows it and where it came from")
    func readFromTheFile() throws {
        #expect(Settings().finalRecordRetentionDays == 30)
        let resolved = try load(#"{"retention":{"finalRecordDays":7}}"#)
        #expect(resolved.settings.finalRecordRetentionDays == 7)
        #expect(resolved.settings.entries.contains { $0 == ("retention.finalRecordDays", "7") })
        #expect(ConfigCommand(resolved: resolved).render().contains("retention.finalRecordDays"))
    }

    @Test("a number of days that is not positive is refused, naming the key")
    func refusesNonPositive() throws {
        #expect {
            _ = try load(#"{"retention":{"finalRecordDays":0}}"#)
        } throws: { error in
            guard let failure = error as? CommandFailure else { return false }
            return failure.exitCode == .configuration && failure.message.contains("retention.finalRecordDays")
        }
    }

    @Test("the test overrides in seconds are unset and unlisted by default, listed once set, refused when not positive")
    func testOverrides() throws {
        let keys = Settings().entries.map(\.key)
        #expect(!keys.contains("retention.finalRecordSeconds") && !keys.contains("retention.traceSeconds"))
        let resolved = try load(#"{"retention":{"finalRecordSeconds":20,"traceSeconds":30}}"#)
        #expect(resolved.settings.finalRecordRetentionSeconds == 20)
        #expect(resolved.settings.traceRetentionSeconds == 30)
        #expect(resolved.settings.entries.contains { $0 == ("retention.finalRecordSeconds", "20") })
        #expect(resolved.settings.entries.contains { $0 == ("retention.traceSeconds", "30") })
        #expect {
            _ = try load(#"{"retention":{"traceSeconds":-1}}"#)
        } throws: { error in
            (error as? CommandFailure)?.message.contains("retention.traceSeconds") == true
        }
    }

    @Test("streams.consumerIdleLimitSeconds: an hour unless the file says otherwise")
    func consumerIdleLimit() throws {
        #expect(Settings().streamsConsumerIdleLimitSeconds == 3600)
        let resolved = try load(#"{"streams":{"consumerIdleLimitSeconds":600}}"#)
        #expect(resolved.settings.streamsConsumerIdleLimitSeconds == 600)
        #expect(resolved.settings.entries.contains { $0 == ("streams.consumerIdleLimitSeconds", "600") })
    }

    @Test("streams.partitionPollMilliseconds: 100 unless the file says otherwise; 0 is refused")
    func partitionPoll() throws {
        #expect(Settings().streamsPartitionPollMilliseconds == 100)
        let resolved = try load(#"{"streams":{"partitionPollMilliseconds":20}}"#)
        #expect(resolved.settings.streamsPartitionPollMilliseconds == 20)
        #expect(resolved.settings.entries.contains { $0 == ("streams.partitionPollMilliseconds", "20") })
        #expect {
            _ = try load(#"{"streams":{"partitionPollMilliseconds":0}}"#)
        } throws: { error in
            (error as? CommandFailure)?.message.contains("streams.partitionPollMilliseconds") == true
        }
    }
}
