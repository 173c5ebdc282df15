// ISAKMP / IKEv1 numbers. RFC 2408 §3, RFC 2407 §4.6, RFC 2409 appendix A, RFC 3947, draft-ietf-ipsec-nat-t-ike-02,
// draft-dukes-ike-mode-cfg-02, draft-beaulieu-ike-xauth-02.
#pragma once
#include <cstdint>

namespace ravpn::ike {

// RFC 2408 §3.1 "Next Payload"; NAT-D/NAT-OA from RFC 3947 §3 and the draft-02/03 private numbers.
enum class PayloadType : uint8_t {
  None = 0, SA = 1, Proposal = 2, Transform = 3, KE = 4, ID = 5, Cert = 6, CertReq = 7, Hash = 8,
  Signature = 9, Nonce = 10, Notify = 11, Delete = 12, VendorId = 13, Attribute = 14,
  NatD = 20, NatOA = 21, NatDDraft = 130, NatOADraft = 131,
};

// RFC 2408 §3.1 "Exchange Type"; 6 = Transaction (mode-config), 32 = Quick Mode (RFC 2409 §5.5).
enum class ExchangeType : uint8_t {
  None = 0, Base = 1, IdentityProtection = 2, AuthenticationOnly = 3, Aggressive = 4, Informational = 5,
  Transaction = 6, QuickMode = 32, NewGroup = 33,
};

namespace flags {
constexpr uint8_t Encryption = 0x01;
constexpr uint8_t Commit = 0x02;
constexpr uint8_t AuthenticationOnly = 0x04;
}  // namespace flags

constexpr uint8_t kIsakmpVersion = 0x10;  // major 1, minor 0
constexpr uint32_t kDoiIpsec = 1;
constexpr uint32_t kSituationIdentityOnly = 1;
constexpr size_t kHeaderSize = 28;
constexpr size_t kGenericHeaderSize = 4;

// RFC 2407 §4.4.1 protocol IDs.
enum class ProtocolId : uint8_t { Isakmp = 1, IpsecAh = 2, IpsecEsp = 3, IpComp = 4 };

// RFC 2409 appendix A: phase 1 SA attribute classes.
namespace ike_attr {
constexpr uint16_t EncryptionAlgorithm = 1;
constexpr uint16_t HashAlgorithm = 2;
constexpr uint16_t AuthenticationMethod = 3;
constexpr uint16_t GroupDescription = 4;
constexpr uint16_t GroupType = 5;
constexpr uint16_t LifeType = 11;
constexpr uint16_t LifeDuration = 12;
constexpr uint16_t KeyLength = 14;
}  // namespace ike_attr

// RFC 2409 appendix A values.
namespace ike_enc { constexpr uint16_t Des = 1, Idea = 2, Blowfish = 3, Rc5 = 4, TripleDes = 5, Cast = 6, Aes = 7; }
namespace ike_hash { constexpr uint16_t Md5 = 1, Sha1 = 2, Tiger = 3, Sha256 = 4, Sha384 = 5, Sha512 = 6; }
namespace ike_auth {
constexpr uint16_t PreShared = 1, DssSig = 2, RsaSig = 3, RsaEnc = 4, RsaRevisedEnc = 5;
// draft-beaulieu-ike-xauth-02 §7.2: 65001 = XAUTHInitPreShared, 65002 = XAUTHRespPreShared, ...
constexpr uint16_t XauthInitPreShared = 65001, XauthRespPreShared = 65002;
constexpr uint16_t XauthInitRsa = 65005, XauthRespRsa = 65006;
}  // namespace ike_auth
namespace life_type { constexpr uint16_t Seconds = 1, Kilobytes = 2; }

// RFC 2407 §4.5: IPsec SA attributes (phase 2).
namespace ipsec_attr {
constexpr uint16_t SaLifeType = 1;
constexpr uint16_t SaLifeDuration = 2;
constexpr uint16_t GroupDescription = 3;
constexpr uint16_t EncapsulationMode = 4;
constexpr uint16_t AuthenticationAlgorithm = 5;
constexpr uint16_t KeyLength = 6;
}  // namespace ipsec_attr
// RFC 2407 §4.5 encapsulation modes; RFC 3947 §5.1 UDP modes 3/4; draft-02 61443/61444.
namespace encaps {
constexpr uint16_t Tunnel = 1, Transport = 2, UdpTunnel = 3, UdpTransport = 4;
constexpr uint16_t UdpTunnelDraft = 61443, UdpTransportDraft = 61444;
}  // namespace encaps
// RFC 2407 §4.4.4 ESP transform IDs.
namespace esp_id { constexpr uint8_t Des = 2, TripleDes = 3, Null = 11, Aes = 12; }
// RFC 2407 §4.5 authentication algorithms.
namespace ipsec_auth { constexpr uint16_t HmacMd5 = 1, HmacSha1 = 2, HmacSha256 = 5, HmacSha384 = 6, HmacSha512 = 7; }

// RFC 2407 §4.6.2.1 identification types.
namespace id_type {
constexpr uint8_t Ipv4Addr = 1, Fqdn = 2, UserFqdn = 3, Ipv4AddrSubnet = 4, Ipv6Addr = 5, Ipv6AddrSubnet = 6,
                  Ipv4AddrRange = 7, Ipv6AddrRange = 8, DerAsn1Dn = 9, DerAsn1Gn = 10, KeyId = 11;
}

// RFC 2408 §3.14.1 notify message types (errors), RFC 2407 §4.6.3 status, RFC 3706 DPD.
namespace notify {
constexpr uint16_t InvalidPayloadType = 1, DoiNotSupported = 2, SituationNotSupported = 3, InvalidCookie = 4,
                   InvalidMajorVersion = 5, InvalidMinorVersion = 6, InvalidExchangeType = 7, InvalidFlags = 8,
                   InvalidMessageId = 9, InvalidProtocolId = 10, InvalidSpi = 11, InvalidTransformId = 12,
                   AttributesNotSupported = 13, NoProposalChosen = 14, BadProposalSyntax = 15,
                   PayloadMalformed = 16, InvalidKeyInformation = 17, InvalidIdInformation = 18,
                   InvalidCertEncoding = 19, InvalidCertificate = 20, CertTypeUnsupported = 21,
                   InvalidCertAuthority = 22, InvalidHashInformation = 23, AuthenticationFailed = 24,
                   InvalidSignature = 25, AddressNotification = 26, NotifySaLifetime = 27,
                   CertificateUnavailable = 28, UnsupportedExchangeType = 29, UnequalPayloadLengths = 30;
constexpr uint16_t Connected = 16384, ResponderLifetime = 24576, ReplayStatus = 24577, InitialContact = 24578;
constexpr uint16_t DpdRUThere = 36136, DpdRUThereAck = 36137;
}  // namespace notify

// draft-dukes-ike-mode-cfg-02 §3.2 attribute payload types, §3.2.1 attributes; draft-beaulieu-ike-xauth-02 §6.
namespace cfg_type { constexpr uint8_t Request = 1, Reply = 2, Set = 3, Ack = 4; }
namespace cfg_attr {
constexpr uint16_t InternalIp4Address = 1, InternalIp4Netmask = 2, InternalIp4Dns = 3, InternalIp4Nbns = 4,
                   InternalAddressExpiry = 5, InternalIp4Dhcp = 6, ApplicationVersion = 7;
constexpr uint16_t XauthType = 16520, XauthUserName = 16521, XauthUserPassword = 16522, XauthPasscode = 16523,
                   XauthMessage = 16524, XauthChallenge = 16525, XauthDomain = 16526, XauthStatus = 16527;
constexpr uint16_t UnityBanner = 28672, UnitySavePasswd = 28673, UnityDefDomain = 28674, UnitySplitDns = 28675,
                   UnitySplitInclude = 28676, UnityNattPort = 28677, UnityLocalLan = 28678, UnityPfs = 28679,
                   UnityFwType = 28680, UnityBackupServers = 28681, UnityDdnsHostname = 28682;
}  // namespace cfg_attr

}  // namespace ravpn::ike
