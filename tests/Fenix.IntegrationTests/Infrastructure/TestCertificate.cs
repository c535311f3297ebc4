using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway self-signed certificate for 127.0.0.1 and localhost, made once per test run: servers serve HTTPS (and so
/// HTTP/2) with it, and test clients accept exactly this certificate and nothing else.
/// </summary>
public static class TestCertificate
{
    private static readonly Lazy<X509Certificate2> Created = new(Create);

    public static X509Certificate2 Certificate => Created.Value;

    /// <summary>Whether <paramref name="certificate"/> is the one this run made (the pinning rule of test clients).</summary>
    public static bool IsOurs(X509Certificate? certificate) =>
        certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(Certificate.RawData);

    /// <summary>Writes the certificate with its key as a PFX file (for a server started as its own process).</summary>
    public static string WritePfx(string password)
    {
        var path = Path.Combine(Path.GetTempPath(), $"fenix-test-{Environment.ProcessId}-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, Certificate.Export(X509ContentType.Pfx, password));
        return path;
    }

    private static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Fenix test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server auth
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        // Round-trip through PFX so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
