using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Demo;

/// <summary>
/// <c>--self-signed-https</c>: serve the Demo over HTTPS (and so HTTP/2, as browsers speak it on HTTPS pages) with a
/// certificate for localhost and 127.0.0.1 made at start. Browsers warn about it once ("not private": proceed); for a
/// trusted certificate, give Kestrel your own (<c>--Kestrel:Certificates:Default:Path</c>) or the ASP.NET Core development
/// certificate instead.
/// </summary>
internal static class SelfSignedHttps
{
    public const string Flag = "--self-signed-https";

    /// <summary>The HTTPS address used when the flag is given without <c>--urls</c>.</summary>
    public const string DefaultUrl = "https://127.0.0.1:4443";

    /// <summary>Removes the flag from <paramref name="args"/>; true when it was there.</summary>
    public static bool TakeFlag(ref string[] args)
    {
        var present = args.Contains(Flag);
        args = [.. args.Where(arg => arg != Flag)];
        return present;
    }

    public static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Fenix Demo (self-signed)", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
