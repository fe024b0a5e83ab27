"""The world the generated visitors live in: places, pages, products, companies, devices, libraries."""

from __future__ import annotations

# (city, country, ISO code, time zone, locale, IPv4 prefix); weights follow a typical EU/US SaaS audience.
PLACES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("New York", "United States", "US", "America/New_York", "en-US", "203.0.113"),
    ("San Francisco", "United States", "US", "America/Los_Angeles", "en-US", "198.51.100"),
    ("Chicago", "United States", "US", "America/Chicago", "en-US", "192.0.2"),
    ("Austin", "United States", "US", "America/Chicago", "en-US", "100.64.12"),
    ("London", "United Kingdom", "GB", "Europe/London", "en-GB", "81.2.69"),
    ("Manchester", "United Kingdom", "GB", "Europe/London", "en-GB", "81.2.70"),
    ("Berlin", "Germany", "DE", "Europe/Berlin", "de-DE", "91.64.3"),
    ("Munich", "Germany", "DE", "Europe/Berlin", "de-DE", "91.65.8"),
    ("Paris", "France", "FR", "Europe/Paris", "fr-FR", "90.84.1"),
    ("Lyon", "France", "FR", "Europe/Paris", "fr-FR", "90.85.2"),
    ("Amsterdam", "Netherlands", "NL", "Europe/Amsterdam", "nl-NL", "145.53.0"),
    ("Madrid", "Spain", "ES", "Europe/Madrid", "es-ES", "88.26.4"),
    ("Milan", "Italy", "IT", "Europe/Rome", "it-IT", "93.44.2"),
    ("Stockholm", "Sweden", "SE", "Europe/Stockholm", "sv-SE", "78.70.5"),
    ("Warsaw", "Poland", "PL", "Europe/Warsaw", "pl-PL", "83.24.9"),
    ("Toronto", "Canada", "CA", "America/Toronto", "en-CA", "99.224.3"),
    ("São Paulo", "Brazil", "BR", "America/Sao_Paulo", "pt-BR", "177.92.1"),
    ("Mexico City", "Mexico", "MX", "America/Mexico_City", "es-MX", "187.190.4"),
    ("Bangalore", "India", "IN", "Asia/Kolkata", "en-IN", "49.37.2"),
    ("Tokyo", "Japan", "JP", "Asia/Tokyo", "ja-JP", "126.72.6"),
    ("Singapore", "Singapore", "SG", "Asia/Singapore", "en-SG", "116.86.3"),
    ("Sydney", "Australia", "AU", "Australia/Sydney", "en-AU", "1.144.7"),
    ("Zürich", "Switzerland", "CH", "Europe/Zurich", "de-CH", "83.76.1"),
    ("Dublin", "Ireland", "IE", "Europe/Dublin", "en-IE", "86.40.2"),
)
PLACE_WEIGHTS: tuple[int, ...] = (14, 10, 6, 4, 9, 3, 8, 4, 6, 2, 4, 3, 2, 2, 2, 4, 3, 2, 3, 2, 2, 2, 1, 2)

# (path, title, page name, category, weight for visitors, weight for signed-in users)
PAGES: tuple[tuple[str, str, str, str | None, int, int], ...] = (
    ("/", "Acme Cloud – Ship analytics your team trusts", "Home", None, 30, 4),
    ("/pricing", "Pricing – Acme Cloud", "Pricing", None, 14, 3),
    ("/features", "Features – Acme Cloud", "Features", None, 10, 1),
    ("/features/live-profiles", "Live profiles – Acme Cloud", "Live Profiles", "Features", 5, 1),
    ("/customers", "Customers – Acme Cloud", "Customers", None, 4, 0),
    ("/blog", "Blog – Acme Cloud", "Blog", "Blog", 6, 1),
    ("/blog/sessionization-explained", "Sessionization, explained – Acme Cloud", "Sessionization Explained", "Blog", 5, 1),
    ("/blog/identity-resolution", "Identity resolution in practice – Acme Cloud", "Identity Resolution", "Blog", 4, 1),
    ("/docs", "Docs – Acme Cloud", "Docs", "Docs", 5, 5),
    ("/docs/getting-started", "Getting started – Acme Cloud Docs", "Getting Started", "Docs", 4, 4),
    ("/docs/api", "API reference – Acme Cloud Docs", "API Reference", "Docs", 2, 5),
    ("/shop", "Shop – Acme Cloud", "Shop", "Shop", 8, 3),
    ("/shop/products/stickers", "Sticker pack – Acme Shop", "Product", "Shop", 4, 2),
    ("/shop/products/hoodie", "Acme hoodie – Acme Shop", "Product", "Shop", 4, 2),
    ("/shop/products/mug", "Acme mug – Acme Shop", "Product", "Shop", 3, 2),
    ("/signup", "Sign up – Acme Cloud", "Sign Up", None, 4, 0),
    ("/login", "Log in – Acme Cloud", "Log In", None, 3, 2),
    ("/app", "Dashboard – Acme Cloud", "Dashboard", "App", 0, 30),
    ("/app/projects", "Projects – Acme Cloud", "Projects", "App", 0, 14),
    ("/app/projects/new", "New project – Acme Cloud", "New Project", "App", 0, 4),
    ("/app/reports", "Reports – Acme Cloud", "Reports", "App", 0, 10),
    ("/app/people", "People – Acme Cloud", "People", "App", 0, 8),
    ("/app/settings", "Settings – Acme Cloud", "Settings", "App", 0, 5),
    ("/app/settings/billing", "Billing – Acme Cloud", "Billing", "App", 0, 3),
    ("/app/settings/team", "Team – Acme Cloud", "Team", "App", 0, 3),
)
HOST = "https://www.acme-cloud.example"
# Mobile app screens: (name, weight)
SCREENS: tuple[tuple[str, int], ...] = (
    ("Home", 30), ("Dashboard", 20), ("Projects", 12), ("Project Detail", 10), ("Reports", 8),
    ("Notifications", 8), ("Shop", 6), ("Product Detail", 5), ("Cart", 3), ("Settings", 4),
)  # fmt: skip

# Track events: (name, weight for visitors, weight for signed-in users, properties maker key)
TRACKS: tuple[tuple[str, int, int], ...] = (
    ("Button Clicked", 20, 12), ("CTA Clicked", 10, 2), ("Search Performed", 8, 8), ("Video Played", 6, 2),
    ("Product Viewed", 12, 8), ("Newsletter Subscribed", 3, 0), ("Feature Used", 0, 22),
    ("Report Exported", 0, 8), ("Project Created", 0, 5), ("Invite Sent", 0, 3), ("Settings Updated", 0, 4),
    ("Product Added", 2, 4), ("Notification Opened", 0, 4), ("Filter Applied", 4, 10),
)  # fmt: skip
FEATURES = ("live-view", "segments", "funnels", "retention", "exports", "alerts", "sql-editor", "dashboards")
SEARCHES = ("pricing", "api key", "export csv", "sessions", "identity merge", "webhooks", "sso", "gdpr", "hoodie")
BUTTONS = ("Get started", "Book a demo", "Start free trial", "Learn more", "Contact sales", "Save", "Share")
FILTERS = ("country = Germany", "last 7 days", "plan = pro", "source = ios", "event = Order Completed")

# (product_id, sku, name, category, price)
PRODUCTS: tuple[tuple[str, str, str, str, float], ...] = (
    ("prod_stk01", "STK-PACK-10", "Sticker pack", "Merch", 9.0),
    ("prod_hd02", "HOODIE-BLK-M", "Acme hoodie", "Merch", 59.0),
    ("prod_mg03", "MUG-WHT-350", "Acme mug", "Merch", 14.5),
    ("prod_tb04", "TOTE-NAT", "Tote bag", "Merch", 19.0),
    ("prod_pl05", "PLAN-PRO-Y", "Pro plan (yearly)", "Plans", 290.0),
    ("prod_pl06", "PLAN-TEAM-M", "Team plan (monthly)", "Plans", 99.0),
    ("prod_sn07", "SEATS-5", "5 extra seats", "Add-ons", 45.0),
    ("prod_cr08", "CREDITS-10K", "10k event credits", "Add-ons", 25.0),
)
CURRENCIES = ("USD", "USD", "USD", "EUR", "EUR", "GBP")
COUPONS = ("WELCOME10", "SPRING24", "STUDENT")

# Campaigns on landing pages: (name, source, medium, term, content)
CAMPAIGNS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("spring_launch", "google", "cpc", "customer analytics", "ad_a"),
    ("spring_launch", "google", "cpc", "user profiles tool", "ad_b"),
    ("newsletter_42", "newsletter", "email", None, "header_link"),
    ("retargeting_q2", "facebook", "paid_social", None, "carousel"),
    ("dev_community", "reddit", "social", None, None),
    ("partner_webinar", "partner", "referral", None, "webinar"),
)
REFERRERS = (
    "", "", "", "https://www.google.com/", "https://www.google.com/", "https://duckduckgo.com/",
    "https://news.ycombinator.com/", "https://www.linkedin.com/", "https://t.co/", "https://github.com/",
)  # fmt: skip

FIRST_NAMES = (
    "Alice", "Bruno", "Chloé", "Dmitri", "Emma", "Farah", "Gustav", "Hana", "Ines", "Jonas", "Kenji", "Lena",
    "Mateo", "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Valentina", "Wei", "Ximena",
    "Yusuf", "Zoë", "Aaron", "Bea", "Carlos", "Dana", "Elif", "Felix", "Grace", "Hugo", "Ivy", "Jamal",
)  # fmt: skip
LAST_NAMES = (
    "Andersson", "Becker", "Costa", "Dubois", "Evans", "Fischer", "García", "Hoffmann", "Ivanova", "Jensen",
    "Kowalski", "Lambert", "Müller", "Nakamura", "O'Brien", "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka",
    "Urban", "Visser", "Wagner", "Xu", "Yilmaz", "Zimmermann", "Nguyen", "Okafor", "Patel", "Silva",
)  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "proton.me", "icloud.com", "yahoo.com", "web.de", "fastmail.com")
TITLES = ("Support Lead", "Product Manager", "Engineer", "Founder", "Data Analyst", "Head of Growth", "Designer")
PLANS = ("free", "free", "starter", "pro", "pro", "team", "enterprise")

# Companies: name parts, industries, employee buckets.
COMPANY_FIRST = (
    "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Soylent", "Tyrell", "Cyberdyne",
    "Wonka", "Acme", "Gringotts", "Monarch", "Oscorp", "Massive", "Nakatomi", "Virtucon", "Dunder", "Sterling",
)  # fmt: skip
COMPANY_LAST = ("Labs", "Systems", "Industries", "Logistics", "Health", "Foods", "Analytics", "Bank", "Studios", "GmbH")
INDUSTRIES = ("Software", "E-commerce", "Logistics", "Healthcare", "Finance", "Media", "Education", "Manufacturing")
EMPLOYEES = (4, 12, 35, 80, 150, 420, 1200, 5000)

# Browsers (userAgent, PostHog $browser, $browser_version, $os, $os_version, $device_type).
BROWSERS: tuple[tuple[str, str, int, str, str, str], ...] = (
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
     "Chrome", 124, "Mac OS X", "10.15.7", "Desktop"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
     "Chrome", 124, "Windows", "10.0", "Desktop"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
     "Firefox", 125, "Windows", "10.0", "Desktop"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
     "Safari", 17, "Mac OS X", "10.15.7", "Desktop"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
     "Chrome", 123, "Linux", "", "Desktop"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4 Mobile/15E148 Safari/604.1",
     "Mobile Safari", 17, "iOS", "17.4", "Mobile"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
     "Chrome", 124, "Android", "14", "Mobile"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
     "Microsoft Edge", 124, "Windows", "10.0", "Desktop"),
)  # fmt: skip
BROWSER_WEIGHTS = (30, 22, 8, 12, 4, 12, 8, 4)

# Phones: (manufacturer, model, os version)
IPHONES = (("Apple", "iPhone15,2", "17.4.1"), ("Apple", "iPhone14,5", "17.3"), ("Apple", "iPhone16,1", "17.5"))
ANDROIDS = (("Google", "Pixel 8", "14"), ("samsung", "SM-S918B", "14"), ("OnePlus", "CPH2449", "13"), ("Xiaomi", "23049PCD8G", "13"))
APP = {"name": "Acme Cloud", "version": "5.12.0", "build": "5120", "namespace": "example.acme.cloud"}
CARRIERS = ("Vodafone", "T-Mobile", "Orange", "AT&T", "Verizon", "O2")

# Libraries as each sender names itself in context.library / $lib.
SEGMENT_LIBS = {
    "web": {"name": "analytics.js", "version": "next-1.70.0"},
    "ios": {"name": "analytics-ios", "version": "4.1.8"},
    "android": {"name": "analytics-android", "version": "4.11.3"},
}
RUDDER_LIBS = {
    "web": {"name": "RudderLabs JavaScript SDK", "version": "3.7.4"},
    "ios": {"name": "rudder-ios-library", "version": "1.26.2"},
    "android": {"name": "com.rudderstack.android.sdk.core", "version": "1.21.1"},
}
POSTHOG_LIBS = {"web": ("web", "1.130.2"), "ios": ("posthog-ios", "3.6.1"), "android": ("posthog-android", "3.4.2")}
