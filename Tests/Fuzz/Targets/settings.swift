import Foundation
import SwitchboardApp

/// The settings file loader: each input is the settings file `--config` names.
///
/// Properties: a refused file exits 78 with a message naming the file; an accepted one has every limit
/// in its range (the HTTP port 0–65535, 0 asking for any free one, counts and timeouts > 0, the failure rate in 0…1, only known Redis users),
/// and every value it set is one `switchboard config` prints.
@_cdecl("LLVMFuzzerTestOneInput")
public func settingsTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = SettingsFuzz.path
    FileManager.default.createFile(atPath: path, contents: Data(FuzzCheck.bytes(data, size)))
    var flags = GlobalFlags()
    flags.configPath = path
    let resolved: ResolvedSettings
    do {
        resolved = try SettingsLoader(environment: [:], searchPaths: []).resolve(flags: flags)
    } catch {
        FuzzCheck.require(error.exitCode == .configuration && error.message.contains(path),
                          "a refusal that does not name the file: \(error.exitCode) \(error.message)")
        return 0
    }
    let settings = resolved.settings
    FuzzCheck.require((0...65535).contains(settings.httpPort), "http.port \(settings.httpPort)")
    let positives = [settings.connectTimeoutMilliseconds, settings.commandTimeoutMilliseconds, settings.httpConnectionLimit,
                     settings.httpIdleTimeoutSeconds, settings.httpMaximumBodyBytes, settings.shutdownGraceSeconds,
                     settings.deadLetterCapacity, settings.streamsBatchSize, settings.streamsClaimIdleMilliseconds,
                     settings.streamsMaximumDeliveries, settings.streamsMaximumLength, settings.paymentTimeoutMilliseconds,
                     settings.breakerFailureThreshold, settings.breakerCoolDownMilliseconds]
    FuzzCheck.require(positives.allSatisfy { $0 > 0 }, "a limit ≤ 0 accepted: \(positives)")
    FuzzCheck.require(settings.paymentLatencyMilliseconds >= 0 && settings.paymentRetries >= 0, "a negative count accepted")
    FuzzCheck.require((0...1).contains(settings.paymentFailureRate), "failure rate \(settings.paymentFailureRate)")
    for (name, credential) in settings.redisUsers {
        FuzzCheck.require(AccessPolicy.userNames.contains(name), "unknown Redis user entry \(name) accepted")
        FuzzCheck.require(!credential.user.isEmpty && !credential.user.contains(where: \.isWhitespace),
                          "user name '\(credential.user)' accepted")
    }
    let printed = Set(settings.entries.map(\.key))
    FuzzCheck.require(Set(resolved.origins.keys).isSubset(of: printed),
                      "set but not printed: \(Set(resolved.origins.keys).subtracting(printed))")
    return 0
}

/// The file each input is written to, one per fuzzing process.
private enum SettingsFuzz {
    static let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("switchboard-fuzz-settings-\(ProcessInfo.processInfo.processIdentifier).json").path
}
