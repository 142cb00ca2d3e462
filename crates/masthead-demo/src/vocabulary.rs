//! The names a news archive is made of: companies, places, markets, parties,
//! people, topics and the odd rare word.
//!
//! Pools are ordered from the most to the least newsworthy, because stories
//! draw from them with Zipf-like weights ([`Rng::zipf`]): Reliance and New Delhi
//! turn up everywhere, Jharsuguda and "truculent" once in a long while, which
//! gives full-text search a realistic spread of common and rare words.
//!
//! Many names belong to a period: there were no smartphones in 1998, Kolkata
//! was Calcutta until 2001 and the rupee sign arrived in 2010. A [`Term`]
//! carries the years it was in use, and [`pick`] draws only terms in use in the
//! story's year. The first entry of every dated pool is timeless, so a pick
//! always succeeds.

use chrono::{Datelike, NaiveDate};

use crate::rng::Rng;

/// Far enough in the future to mean "still in use".
const OPEN: u16 = 9999;

/// A word or name and the years (inclusive) it was in use.
#[derive(Debug, Clone, Copy)]
pub struct Term {
    /// The word as printed.
    pub text: &'static str,
    from: u16,
    until: u16,
}

/// A term in use in every year of the archive.
pub const fn t(text: &'static str) -> Term {
    Term { text, from: 0, until: OPEN }
}

/// A term in use from `from` on.
pub const fn since(from: u16, text: &'static str) -> Term {
    Term { text, from, until: OPEN }
}

/// A term in use until `until` (inclusive).
pub const fn until(until: u16, text: &'static str) -> Term {
    Term { text, from: 0, until }
}

/// A term in use from `from` to `until` (inclusive).
pub const fn between(from: u16, until: u16, text: &'static str) -> Term {
    Term { text, from, until }
}

/// Something with a [`Term`] for a name, so [`pick`] can date it.
pub trait Dated {
    /// The dated name.
    fn term(&self) -> &Term;
}

impl Dated for Term {
    fn term(&self) -> &Term {
        self
    }
}

impl Term {
    /// Whether the term was in use in `year`.
    pub fn in_use(&self, year: u16) -> bool {
        (self.from..=self.until).contains(&year)
    }
}

/// Draws an item in use in `year`, with Zipf-like weights; falls back to the
/// pool's first item, which is timeless.
pub fn pick<'a, T: Dated>(rng: &mut Rng, pool: &'a [T], year: u16) -> &'a T {
    for _ in 0..8 {
        let item = &pool[rng.zipf(pool.len())];
        if item.term().in_use(year) {
            return item;
        }
    }
    &pool[0]
}

/// The name a place went by in `year`: Bengaluru was Bangalore until 2014.
pub fn era_name(name: &'static str, year: u16) -> &'static str {
    const RENAMES: [(&str, &str, u16); 9] = [
        ("Bengaluru", "Bangalore", 2015),
        ("Kolkata", "Calcutta", 2001),
        ("Gurugram", "Gurgaon", 2016),
        ("Mysuru", "Mysore", 2015),
        ("Mangaluru", "Mangalore", 2015),
        ("Belagavi", "Belgaum", 2015),
        ("Hubballi", "Hubli", 2015),
        ("Kyiv", "Kiev", 2019),
        ("Amaravati", "Hyderabad", 2015),
    ];
    RENAMES
        .iter()
        .find(|(new, _, _)| *new == name)
        .filter(|(_, _, renamed_in)| year < *renamed_in)
        .map_or(name, |(_, old, _)| old)
}

/// A company and the business it is in.
#[derive(Debug)]
pub struct Company {
    /// Its name in the year of the story.
    pub name: Term,
    /// Its sector, as used in "the {sector} sector".
    pub sector: &'static str,
    /// Its home city (a [`Place`] for world companies; empty for Indian ones).
    pub city: &'static str,
}

impl Dated for Company {
    fn term(&self) -> &Term {
        &self.name
    }
}

/// An Indian company.
const fn indian(name: Term, sector: &'static str) -> Company {
    Company { name, sector, city: "" }
}

/// A foreign company, with its home city from [`PLACES`].
const fn global(name: Term, sector: &'static str, city: &'static str) -> Company {
    Company { name, sector, city }
}

/// Listed Indian companies, most newsworthy first.
pub static INDIAN_COMPANIES: &[Company] = &[
    indian(t("Reliance Industries"), "oil and gas"),
    indian(t("Tata Consultancy Services"), "IT services"),
    indian(t("Infosys"), "IT services"),
    indian(t("HDFC Bank"), "banking"),
    indian(t("State Bank of India"), "banking"),
    indian(t("ICICI Bank"), "banking"),
    indian(t("Tata Motors"), "automobile"),
    indian(t("Tata Steel"), "steel"),
    indian(t("Larsen & Toubro"), "infrastructure"),
    indian(since(2007, "Maruti Suzuki"), "automobile"),
    indian(until(2006, "Maruti Udyog"), "automobile"),
    indian(t("Wipro"), "IT services"),
    indian(t("ITC"), "FMCG"),
    indian(t("Mahindra & Mahindra"), "automobile"),
    indian(since(2006, "Bharti Airtel"), "telecom"),
    indian(until(2005, "Bharti Tele-Ventures"), "telecom"),
    indian(t("Oil and Natural Gas Corporation"), "oil and gas"),
    indian(since(2007, "Hindustan Unilever"), "FMCG"),
    indian(until(2006, "Hindustan Lever"), "FMCG"),
    indian(t("NTPC"), "power"),
    indian(t("Bajaj Auto"), "automobile"),
    indian(t("Sun Pharmaceutical Industries"), "pharmaceutical"),
    indian(since(2007, "Axis Bank"), "banking"),
    indian(until(2006, "UTI Bank"), "banking"),
    indian(t("Hindalco Industries"), "metals and mining"),
    indian(t("Dr Reddy's Laboratories"), "pharmaceutical"),
    indian(t("Coal India"), "metals and mining"),
    indian(t("Indian Oil Corporation"), "oil and gas"),
    indian(t("HCL Technologies"), "IT services"),
    indian(since(2003, "Kotak Mahindra Bank"), "banking"),
    indian(t("Asian Paints"), "consumer goods"),
    indian(t("Cipla"), "pharmaceutical"),
    indian(t("Grasim Industries"), "cement"),
    indian(since(2004, "UltraTech Cement"), "cement"),
    indian(t("Bharat Heavy Electricals"), "capital goods"),
    indian(since(2011, "Hero MotoCorp"), "automobile"),
    indian(until(2010, "Hero Honda"), "automobile"),
    indian(since(2005, "JSW Steel"), "steel"),
    indian(t("Adani Enterprises"), "infrastructure"),
    indian(since(2006, "Adani Ports"), "infrastructure"),
    indian(since(2005, "Vedanta"), "metals and mining"),
    indian(until(2012, "Titan Industries"), "consumer goods"),
    indian(since(2013, "Titan Company"), "consumer goods"),
    indian(since(2010, "Bajaj Finance"), "financial services"),
    indian(t("Power Grid Corporation"), "power"),
    indian(t("GAIL"), "oil and gas"),
    indian(since(2006, "IndiGo"), "aviation"),
    indian(between(1997, 2019, "Jet Airways"), "aviation"),
    indian(since(2005, "SpiceJet"), "aviation"),
    indian(t("Zee Entertainment"), "media"),
    indian(t("Dabur"), "FMCG"),
    indian(t("Britannia Industries"), "FMCG"),
    indian(t("Nestle India"), "FMCG"),
    indian(t("Lupin"), "pharmaceutical"),
    indian(t("Ashok Leyland"), "automobile"),
    indian(t("Eicher Motors"), "automobile"),
    indian(since(2001, "Godrej Consumer Products"), "FMCG"),
    indian(since(2006, "Tech Mahindra"), "IT services"),
    indian(since(2005, "Yes Bank"), "banking"),
    indian(t("Punjab National Bank"), "banking"),
    indian(t("Bank of Baroda"), "banking"),
    indian(t("Steel Authority of India"), "steel"),
    indian(t("Tata Power"), "power"),
    indian(t("Shree Cement"), "cement"),
    indian(t("Hindustan Zinc"), "metals and mining"),
    indian(t("Life Insurance Corporation"), "insurance"),
    indian(since(2016, "Reliance Jio"), "telecom"),
    indian(since(2008, "Flipkart"), "e-commerce"),
    indian(since(2011, "Paytm"), "digital payments"),
    indian(since(2011, "Zomato"), "food delivery"),
    indian(since(2013, "Ola"), "ride-hailing"),
    indian(since(2016, "Byju's"), "edtech"),
    indian(since(2015, "Nykaa"), "e-commerce"),
    indian(t("Thermax"), "capital goods"),
    indian(t("Bharat Forge"), "auto components"),
    indian(t("Arvind"), "textiles"),
    indian(t("Raymond"), "textiles"),
    indian(t("Chambal Fertilisers"), "fertiliser"),
    indian(t("Jindal Stainless"), "steel"),
    indian(t("Apollo Tyres"), "auto components"),
    indian(t("Indian Hotels"), "hospitality"),
    indian(t("Container Corporation of India"), "logistics"),
    indian(t("Pidilite Industries"), "chemicals"),
    indian(t("Havells India"), "consumer durables"),
    indian(t("Voltas"), "consumer durables"),
    indian(t("Marico"), "FMCG"),
    indian(t("Berger Paints"), "consumer goods"),
    indian(t("Cummins India"), "capital goods"),
    indian(t("ABB India"), "capital goods"),
    indian(since(2009, "Jubilant FoodWorks"), "quick-service restaurants"),
    indian(t("Trent"), "retail"),
    indian(t("Aurobindo Pharma"), "pharmaceutical"),
    indian(t("Glenmark Pharmaceuticals"), "pharmaceutical"),
    indian(t("Biocon"), "biotechnology"),
    indian(t("Torrent Power"), "power"),
    indian(t("Exide Industries"), "auto components"),
    indian(t("MRF"), "auto components"),
    indian(t("Tata Chemicals"), "chemicals"),
    indian(since(2013, "UPL"), "agrochemicals"),
    indian(until(2012, "United Phosphorus"), "agrochemicals"),
    indian(t("NMDC"), "metals and mining"),
    indian(t("Hindustan Petroleum"), "oil and gas"),
    indian(t("Bharat Petroleum"), "oil and gas"),
    indian(since(2004, "Petronet LNG"), "oil and gas"),
    indian(t("Indraprastha Gas"), "gas distribution"),
    indian(since(2019, "IRCTC"), "travel"),
    indian(t("Apollo Hospitals"), "healthcare"),
    indian(since(2007, "Fortis Healthcare"), "healthcare"),
    indian(t("Divi's Laboratories"), "pharmaceutical"),
    indian(t("Page Industries"), "textiles"),
    indian(t("Balkrishna Industries"), "auto components"),
    indian(t("Kansai Nerolac"), "consumer goods"),
];

/// Indian technology and telecom companies.
pub static INDIAN_TECH: &[Company] = &[
    indian(t("Tata Consultancy Services"), "IT services"),
    indian(t("Infosys"), "IT services"),
    indian(t("Wipro"), "IT services"),
    indian(since(2006, "Bharti Airtel"), "telecom"),
    indian(until(2005, "Bharti Tele-Ventures"), "telecom"),
    indian(t("HCL Technologies"), "IT services"),
    indian(since(2016, "Reliance Jio"), "telecom"),
    indian(since(2006, "Tech Mahindra"), "IT services"),
    indian(since(2008, "Flipkart"), "e-commerce"),
    indian(since(2011, "Paytm"), "digital payments"),
    indian(between(1997, 2007, "Hutchison Essar"), "telecom"),
    indian(between(2007, 2018, "Vodafone India"), "telecom"),
    indian(since(2018, "Vodafone Idea"), "telecom"),
    indian(t("Mphasis"), "IT services"),
    indian(between(1999, 2022, "Mindtree"), "IT services"),
    indian(t("L&T Infotech"), "IT services"),
    indian(since(2011, "Zomato"), "food delivery"),
    indian(since(2015, "Swiggy"), "food delivery"),
    indian(since(2016, "PhonePe"), "digital payments"),
    indian(since(2013, "Ola"), "ride-hailing"),
    indian(since(2016, "Byju's"), "edtech"),
    indian(since(2009, "Zoho"), "software"),
    indian(since(2018, "Freshworks"), "software"),
    indian(t("Persistent Systems"), "IT services"),
    indian(t("Mastek"), "IT services"),
    indian(t("Rediff.com"), "internet"),
    indian(since(2006, "Info Edge"), "internet"),
    indian(t("Dixon Technologies"), "electronics manufacturing"),
    indian(since(2017, "Ola Electric"), "electric vehicle"),
];

/// Foreign companies, with home cities from [`PLACES`].
pub static GLOBAL_COMPANIES: &[Company] = &[
    global(t("Apple"), "consumer electronics", "San Francisco"),
    global(t("Microsoft"), "software", "Seattle"),
    global(t("Toyota"), "automobile", "Tokyo"),
    global(t("Samsung Electronics"), "consumer electronics", "Seoul"),
    global(since(1999, "Google"), "internet", "San Francisco"),
    global(t("Amazon"), "e-commerce", "Seattle"),
    global(t("Walmart"), "retail", "New York"),
    global(t("Boeing"), "aerospace", "Seattle"),
    global(t("Airbus"), "aerospace", "Paris"),
    global(t("Volkswagen"), "automobile", "Frankfurt"),
    global(t("Siemens"), "capital goods", "Munich"),
    global(t("BP"), "oil and gas", "London"),
    global(t("Shell"), "oil and gas", "London"),
    global(since(1999, "Exxon Mobil"), "oil and gas", "New York"),
    global(t("Saudi Aramco"), "oil and gas", "Riyadh"),
    global(t("HSBC"), "banking", "London"),
    global(t("Goldman Sachs"), "banking", "New York"),
    global(since(2000, "JPMorgan Chase"), "banking", "New York"),
    global(t("Nestle"), "consumer goods", "Geneva"),
    global(t("Unilever"), "consumer goods", "London"),
    global(t("Sony"), "consumer electronics", "Tokyo"),
    global(t("Honda"), "automobile", "Tokyo"),
    global(t("Hyundai Motor"), "automobile", "Seoul"),
    global(t("General Motors"), "automobile", "Detroit"),
    global(t("Ford"), "automobile", "Detroit"),
    global(since(2000, "Alibaba"), "e-commerce", "Shanghai"),
    global(since(2000, "Tencent"), "internet", "Shenzhen"),
    global(since(2008, "Tesla"), "electric vehicle", "San Francisco"),
    global(since(2006, "ArcelorMittal"), "steel", "London"),
    global(t("BHP"), "metals and mining", "Sydney"),
    global(since(2011, "Glencore"), "commodities", "Geneva"),
    global(t("SoftBank"), "investment", "Tokyo"),
    global(t("Gazprom"), "oil and gas", "Moscow"),
    global(t("Emirates"), "aviation", "Dubai"),
    global(between(1997, 2013, "Nokia"), "telecom equipment", "Helsinki"),
    global(since(2010, "BYD"), "electric vehicle", "Shenzhen"),
    global(t("LG Electronics"), "consumer electronics", "Seoul"),
    global(t("Nissan"), "automobile", "Tokyo"),
    global(t("Maersk"), "shipping", "Copenhagen"),
];

/// Foreign technology companies, with home cities from [`PLACES`].
pub static GLOBAL_TECH: &[Company] = &[
    global(t("Microsoft"), "software", "Seattle"),
    global(t("Apple"), "consumer electronics", "San Francisco"),
    global(since(1999, "Google"), "internet", "San Francisco"),
    global(t("Samsung Electronics"), "consumer electronics", "Seoul"),
    global(t("Intel"), "semiconductor", "San Francisco"),
    global(t("IBM"), "technology services", "New York"),
    global(t("Amazon"), "e-commerce", "Seattle"),
    global(between(2004, 2021, "Facebook"), "social media", "San Francisco"),
    global(since(2021, "Meta"), "social media", "San Francisco"),
    global(t("Nvidia"), "semiconductor", "San Francisco"),
    global(t("TSMC"), "semiconductor", "Taipei"),
    global(t("Sony"), "consumer electronics", "Tokyo"),
    global(between(1997, 2013, "Nokia"), "telecom equipment", "Helsinki"),
    global(since(2005, "Huawei"), "telecom equipment", "Shenzhen"),
    global(since(2012, "Xiaomi"), "consumer electronics", "Beijing"),
    global(t("Oracle"), "software", "San Francisco"),
    global(t("Cisco"), "networking", "San Francisco"),
    global(t("Qualcomm"), "semiconductor", "San Francisco"),
    global(since(2011, "Uber"), "ride-hailing", "San Francisco"),
    global(since(2007, "Netflix"), "streaming", "San Francisco"),
    global(t("Foxconn"), "electronics manufacturing", "Taipei"),
    global(since(2000, "Tencent"), "internet", "Shenzhen"),
    global(since(2000, "Alibaba"), "e-commerce", "Shanghai"),
    global(t("SAP"), "software", "Frankfurt"),
    global(t("Ericsson"), "telecom equipment", "Stockholm"),
    global(since(2017, "ByteDance"), "social media", "Beijing"),
    global(since(2022, "OpenAI"), "artificial intelligence", "San Francisco"),
    global(between(1997, 2010, "Sun Microsystems"), "technology services", "San Francisco"),
    global(between(1997, 2016, "Yahoo"), "internet", "San Francisco"),
    global(t("Micron Technology"), "semiconductor", "Seattle"),
    global(t("ASML"), "semiconductor", "Amsterdam"),
];

/// A stock index or price with its approximate year-end values, so a story
/// quotes levels of its time (the Sensex near 3,700 in 1997, 78,000 in 2024).
#[derive(Debug)]
pub struct Index {
    /// As written in text: "the Sensex".
    pub name: &'static str,
    /// As written in headlines: "Sensex".
    pub short: &'static str,
    /// Year-end values for 1996 to 2025, in units of `hundredths` hundredths.
    year_ends: [u32; 30],
    /// 100 when `year_ends` are whole units, 1 when they are hundredths.
    hundredths: u32,
}

impl Index {
    /// The approximate level on `day_of_year` of `year`, in hundredths,
    /// interpolated between the year-ends around it.
    pub fn level(&self, year: u16, day_of_year: u32) -> u64 {
        let i = usize::from(year.clamp(1997, 2025) - 1996);
        let (start, end) = (u64::from(self.year_ends[i - 1]), u64::from(self.year_ends[i]));
        let day = u64::from(day_of_year.min(365));
        let value = (start * (365 - day) + end * day) / 365;
        value * u64::from(self.hundredths)
    }

    /// The level on `date`, in hundredths, held at the series' last
    /// year-end after it ends (where [`Index::level`] starts its last year
    /// again), so a chart across New Year does not jump.
    pub fn level_on(&self, date: NaiveDate) -> u64 {
        let last_year = 1996 + self.year_ends.len() as i32 - 1;
        if date.year() > last_year {
            return u64::from(self.year_ends[self.year_ends.len() - 1]) * u64::from(self.hundredths);
        }
        self.level(u16::try_from(date.year()).unwrap_or(1997), date.ordinal())
    }
}

/// The indices and prices a market story may name, each with whether it is
/// quoted in Indian grouping (`1,23,456`): the demo charts them.
pub static CHARTED: [(&Index, bool); 12] = [
    (&SENSEX, true),
    (&NIFTY, true),
    (&RUPEE, true),
    (&BRENT, false),
    (&DOW, false),
    (&SP500, false),
    (&NIKKEI, false),
    (&HANG_SENG, false),
    (&FTSE, false),
    (&DAX, false),
    (&SHANGHAI, false),
    (&KOSPI, false),
];

/// The BSE Sensex.
pub static SENSEX: Index = Index {
    name: "the Sensex",
    short: "Sensex",
    year_ends: [
        3085, 3659, 3055, 5005, 3972, 3262, 3377, 5839, 6602, 9397, 13786, 20286, 9647, 17464, 20509, 15454, 19426,
        21170, 27499, 26117, 26626, 34056, 36068, 41253, 47751, 58253, 60840, 72240, 78139, 84000,
    ],
    hundredths: 100,
};

/// The NSE Nifty.
pub static NIFTY: Index = Index {
    name: "the Nifty",
    short: "Nifty",
    year_ends: [
        899, 1079, 884, 1480, 1263, 1059, 1093, 1879, 2080, 2836, 3966, 6138, 2959, 5201, 6134, 4624, 5905, 6304, 8282,
        7946, 8186, 10531, 10863, 12168, 13982, 17354, 18105, 21731, 23645, 25800,
    ],
    hundredths: 100,
};

/// The rupee against the dollar, in paise.
pub static RUPEE: Index = Index {
    name: "the rupee",
    short: "Rupee",
    year_ends: [
        3590, 3930, 4250, 4360, 4670, 4820, 4800, 4560, 4360, 4510, 4420, 3940, 4860, 4650, 4480, 5310, 5480, 6190,
        6330, 6620, 6790, 6390, 6980, 7140, 7310, 7430, 8270, 8320, 8560, 8800,
    ],
    hundredths: 1,
};

/// Brent crude, in cents a barrel.
pub static BRENT: Index = Index {
    name: "Brent crude",
    short: "Brent",
    year_ends: [
        2300, 1660, 980, 2550, 2250, 1930, 2870, 3010, 4020, 5890, 6100, 9390, 4560, 7790, 9480, 10740, 11110, 11080,
        5730, 3730, 5680, 6690, 5380, 6600, 5180, 7780, 8590, 7700, 7460, 6500,
    ],
    hundredths: 1,
};

static DOW: Index = Index {
    name: "the Dow Jones Industrial Average",
    short: "Dow",
    year_ends: [
        6448, 7908, 9181, 11497, 10787, 10021, 8342, 10454, 10783, 10718, 12463, 13265, 8776, 10428, 11578, 12218,
        13104, 16577, 17823, 17425, 19763, 24719, 23327, 28538, 30606, 36338, 33147, 37690, 42544, 46000,
    ],
    hundredths: 100,
};

static SP500: Index = Index {
    name: "the S&P 500",
    short: "S&P 500",
    year_ends: [
        741, 970, 1229, 1469, 1320, 1148, 880, 1112, 1212, 1248, 1418, 1468, 903, 1115, 1258, 1258, 1426, 1848, 2059,
        2044, 2239, 2674, 2507, 3231, 3756, 4766, 3840, 4770, 5882, 6500,
    ],
    hundredths: 100,
};

static NIKKEI: Index = Index {
    name: "the Nikkei 225",
    short: "Nikkei",
    year_ends: [
        19361, 15259, 13842, 18934, 13786, 10543, 8579, 10677, 11489, 16111, 17226, 15308, 8860, 10546, 10229, 8455,
        10395, 16291, 17451, 19034, 19114, 22765, 20015, 23657, 27444, 28792, 26095, 33464, 39895, 45000,
    ],
    hundredths: 100,
};

static HANG_SENG: Index = Index {
    name: "the Hang Seng",
    short: "Hang Seng",
    year_ends: [
        13451, 10723, 10049, 16962, 15096, 11397, 9321, 12576, 14230, 14876, 19965, 27813, 14388, 21873, 23035, 18434,
        22657, 23306, 23605, 21914, 22001, 29919, 25846, 28190, 27231, 23398, 19781, 17047, 20060, 25000,
    ],
    hundredths: 100,
};

static FTSE: Index = Index {
    name: "the FTSE 100",
    short: "FTSE 100",
    year_ends: [
        4119, 5136, 5883, 6930, 6223, 5217, 3940, 4477, 4814, 5619, 6221, 6457, 4434, 5413, 5900, 5572, 5898, 6749,
        6566, 6242, 7143, 7688, 6728, 7542, 6461, 7385, 7452, 7733, 8173, 9000,
    ],
    hundredths: 100,
};

static DAX: Index = Index {
    name: "the DAX",
    short: "DAX",
    year_ends: [
        2889, 4250, 5002, 6958, 6434, 5160, 2893, 3965, 4256, 5408, 6597, 8067, 4810, 5957, 6914, 5898, 7612, 9552,
        9806, 10743, 11481, 12918, 10559, 13249, 13719, 15885, 13924, 16752, 19909, 24000,
    ],
    hundredths: 100,
};

static SHANGHAI: Index = Index {
    name: "the Shanghai Composite",
    short: "Shanghai Composite",
    year_ends: [
        917, 1194, 1147, 1367, 2073, 1646, 1358, 1497, 1267, 1161, 2675, 5262, 1821, 3277, 2808, 2199, 2269, 2116,
        3235, 3539, 3104, 3307, 2494, 3050, 3473, 3640, 3089, 2975, 3352, 3900,
    ],
    hundredths: 100,
};

static KOSPI: Index = Index {
    name: "the Kospi",
    short: "Kospi",
    year_ends: [
        651, 376, 562, 1028, 504, 694, 628, 811, 896, 1379, 1434, 1897, 1124, 1683, 2051, 1826, 1997, 2011, 1916, 1961,
        2026, 2467, 2041, 2198, 2873, 2978, 2236, 2655, 2399, 3500,
    ],
    hundredths: 100,
};

/// A city a story can come from, with what a story about its country needs.
#[derive(Debug)]
pub struct Place {
    /// The city, as in a dateline.
    pub city: &'static str,
    /// The country, as in running text: "the US", "China".
    pub country: &'static str,
    /// "American", "Chinese".
    pub demonym: &'static str,
    /// The head of government's title: "president", "chancellor".
    pub leader: &'static str,
    /// The currency: "yen".
    pub currency: &'static str,
    /// The central bank, in running text: "the Bank of Japan".
    pub central_bank: &'static str,
    /// The central bank in a headline: "BoJ".
    pub central_bank_short: &'static str,
    /// Stock indices quoted from this city (empty when none).
    pub indices: &'static [&'static Index],
    /// For the euro area, the currency and central bank before 1999.
    pub before_euro: Option<(&'static str, &'static str)>,
}

impl Place {
    /// The currency in use in `year`.
    pub fn currency(&self, year: u16) -> &'static str {
        match self.before_euro {
            Some((currency, _)) if year < 1999 => currency,
            _ => self.currency,
        }
    }

    /// The central bank setting rates in `year`.
    pub fn central_bank(&self, year: u16) -> &'static str {
        match self.before_euro {
            Some((_, bank)) if year < 1999 => bank,
            _ => self.central_bank,
        }
    }
}

/// India, for stories from home.
pub static INDIA: Place = Place {
    city: "New Delhi",
    country: "India",
    demonym: "Indian",
    leader: "prime minister",
    currency: "rupee",
    central_bank: "the Reserve Bank of India",
    central_bank_short: "RBI",
    indices: &[&SENSEX, &NIFTY],
    before_euro: None,
};

/// Builds a [`Place`] outside the euro area.
const fn place(
    city: &'static str,
    country: &'static str,
    demonym: &'static str,
    leader: &'static str,
    currency: &'static str,
    bank: (&'static str, &'static str),
    indices: &'static [&'static Index],
) -> Place {
    Place {
        city,
        country,
        demonym,
        leader,
        currency,
        central_bank: bank.0,
        central_bank_short: bank.1,
        indices,
        before_euro: None,
    }
}

/// Builds a [`Place`] in the euro area, with its currency and central bank before 1999.
const fn euro_place(
    city: &'static str,
    country: &'static str,
    demonym: &'static str,
    leader: &'static str,
    before: (&'static str, &'static str),
    indices: &'static [&'static Index],
) -> Place {
    Place { before_euro: Some(before), ..place(city, country, demonym, leader, "euro", ECB, indices) }
}

const FED: (&str, &str) = ("the Federal Reserve", "Fed");
const ECB: (&str, &str) = ("the European Central Bank", "ECB");
const PBOC: (&str, &str) = ("the People's Bank of China", "PBoC");

/// Foreign datelines, the most newsworthy first; cities that matter mostly
/// as company headquarters come last.
pub static PLACES: &[Place] = &[
    place("Washington", "the US", "American", "president", "dollar", FED, &[]),
    place("Beijing", "China", "Chinese", "president", "yuan", PBOC, &[]),
    place("London", "Britain", "British", "prime minister", "pound", ("the Bank of England", "BoE"), &[&FTSE]),
    place("Moscow", "Russia", "Russian", "president", "rouble", ("the Bank of Russia", "Bank of Russia"), &[]),
    place("Tokyo", "Japan", "Japanese", "prime minister", "yen", ("the Bank of Japan", "BoJ"), &[&NIKKEI]),
    place("New York", "the US", "American", "president", "dollar", FED, &[&DOW, &SP500]),
    place(
        "Islamabad",
        "Pakistan",
        "Pakistani",
        "prime minister",
        "Pakistani rupee",
        ("the State Bank of Pakistan", "SBP"),
        &[],
    ),
    place("Dhaka", "Bangladesh", "Bangladeshi", "prime minister", "taka", ("Bangladesh Bank", "Bangladesh Bank"), &[]),
    euro_place(
        "Brussels",
        "the European Union",
        "European",
        "Commission president",
        ("Belgian franc", "the National Bank of Belgium"),
        &[],
    ),
    euro_place("Paris", "France", "French", "president", ("franc", "the Banque de France"), &[]),
    euro_place("Berlin", "Germany", "German", "chancellor", ("Deutsche mark", "the Bundesbank"), &[]),
    euro_place("Frankfurt", "Germany", "German", "chancellor", ("Deutsche mark", "the Bundesbank"), &[&DAX]),
    place(
        "Hong Kong",
        "Hong Kong",
        "Hong Kong",
        "chief executive",
        "Hong Kong dollar",
        ("the Hong Kong Monetary Authority", "HKMA"),
        &[&HANG_SENG],
    ),
    place("Shanghai", "China", "Chinese", "premier", "yuan", PBOC, &[&SHANGHAI]),
    place("Seoul", "South Korea", "South Korean", "president", "won", ("the Bank of Korea", "BoK"), &[&KOSPI]),
    place(
        "Singapore",
        "Singapore",
        "Singaporean",
        "prime minister",
        "Singapore dollar",
        ("the Monetary Authority of Singapore", "MAS"),
        &[],
    ),
    place("Dubai", "the UAE", "Emirati", "president", "dirham", ("the UAE central bank", "UAE central bank"), &[]),
    place(
        "Riyadh",
        "Saudi Arabia",
        "Saudi",
        "crown prince",
        "riyal",
        ("the Saudi central bank", "Saudi central bank"),
        &[],
    ),
    place("Tehran", "Iran", "Iranian", "president", "rial", ("the Central Bank of Iran", "Iran central bank"), &[]),
    place("Jerusalem", "Israel", "Israeli", "prime minister", "shekel", ("the Bank of Israel", "Bank of Israel"), &[]),
    place(
        "Kabul",
        "Afghanistan",
        "Afghan",
        "president",
        "afghani",
        ("Da Afghanistan Bank", "Afghan central bank"),
        &[],
    ),
    place(
        "Colombo",
        "Sri Lanka",
        "Sri Lankan",
        "president",
        "Sri Lankan rupee",
        ("the Central Bank of Sri Lanka", "CBSL"),
        &[],
    ),
    place(
        "Kathmandu",
        "Nepal",
        "Nepali",
        "prime minister",
        "Nepali rupee",
        ("Nepal Rastra Bank", "Nepal Rastra Bank"),
        &[],
    ),
    place("Kyiv", "Ukraine", "Ukrainian", "president", "hryvnia", ("the National Bank of Ukraine", "NBU"), &[]),
    place(
        "Ankara",
        "Turkey",
        "Turkish",
        "president",
        "lira",
        ("the Turkish central bank", "Turkish central bank"),
        &[],
    ),
    place("Cairo", "Egypt", "Egyptian", "president", "Egyptian pound", ("the Central Bank of Egypt", "CBE"), &[]),
    place("Jakarta", "Indonesia", "Indonesian", "president", "rupiah", ("Bank Indonesia", "Bank Indonesia"), &[]),
    place("Bangkok", "Thailand", "Thai", "prime minister", "baht", ("the Bank of Thailand", "BoT"), &[]),
    place(
        "Kuala Lumpur",
        "Malaysia",
        "Malaysian",
        "prime minister",
        "ringgit",
        ("Bank Negara Malaysia", "Bank Negara"),
        &[],
    ),
    place(
        "Sydney",
        "Australia",
        "Australian",
        "prime minister",
        "Australian dollar",
        ("the Reserve Bank of Australia", "RBA"),
        &[],
    ),
    place("Ottawa", "Canada", "Canadian", "prime minister", "Canadian dollar", ("the Bank of Canada", "BoC"), &[]),
    place(
        "Brasilia",
        "Brazil",
        "Brazilian",
        "president",
        "real",
        ("the Central Bank of Brazil", "Brazil central bank"),
        &[],
    ),
    place("Mexico City", "Mexico", "Mexican", "president", "peso", ("the Bank of Mexico", "Banxico"), &[]),
    place(
        "Johannesburg",
        "South Africa",
        "South African",
        "president",
        "rand",
        ("the South African Reserve Bank", "SARB"),
        &[],
    ),
    place("Nairobi", "Kenya", "Kenyan", "president", "shilling", ("the Central Bank of Kenya", "CBK"), &[]),
    place("Lagos", "Nigeria", "Nigerian", "president", "naira", ("the Central Bank of Nigeria", "CBN"), &[]),
    place("Geneva", "Switzerland", "Swiss", "president", "Swiss franc", ("the Swiss National Bank", "SNB"), &[]),
    place(
        "Baghdad",
        "Iraq",
        "Iraqi",
        "prime minister",
        "dinar",
        ("the Central Bank of Iraq", "Iraq central bank"),
        &[],
    ),
    place("Doha", "Qatar", "Qatari", "emir", "Qatari riyal", ("the Qatar Central Bank", "QCB"), &[]),
    place(
        "Taipei",
        "Taiwan",
        "Taiwanese",
        "president",
        "Taiwan dollar",
        ("the central bank of Taiwan", "Taiwan central bank"),
        &[],
    ),
    place("Hanoi", "Vietnam", "Vietnamese", "prime minister", "dong", ("the State Bank of Vietnam", "SBV"), &[]),
    place(
        "Manila",
        "the Philippines",
        "Filipino",
        "president",
        "peso",
        ("the Bangko Sentral ng Pilipinas", "BSP"),
        &[],
    ),
    place(
        "Buenos Aires",
        "Argentina",
        "Argentine",
        "president",
        "peso",
        ("the Central Bank of Argentina", "BCRA"),
        &[],
    ),
    euro_place("Rome", "Italy", "Italian", "prime minister", ("lira", "the Bank of Italy"), &[]),
    euro_place("Madrid", "Spain", "Spanish", "prime minister", ("peseta", "the Bank of Spain"), &[]),
    place("Yangon", "Myanmar", "Myanmar", "leader", "kyat", ("the Central Bank of Myanmar", "CBM"), &[]),
    place("Stockholm", "Sweden", "Swedish", "prime minister", "krona", ("the Riksbank", "Riksbank"), &[]),
    euro_place("Amsterdam", "the Netherlands", "Dutch", "prime minister", ("guilder", "De Nederlandsche Bank"), &[]),
    euro_place("Helsinki", "Finland", "Finnish", "prime minister", ("markka", "the Bank of Finland"), &[]),
    place(
        "Copenhagen",
        "Denmark",
        "Danish",
        "prime minister",
        "krone",
        ("Danmarks Nationalbank", "Danish central bank"),
        &[],
    ),
    place("San Francisco", "the US", "American", "president", "dollar", FED, &[]),
    place("Seattle", "the US", "American", "president", "dollar", FED, &[]),
    place("Detroit", "the US", "American", "president", "dollar", FED, &[]),
    place("Shenzhen", "China", "Chinese", "premier", "yuan", PBOC, &[]),
    euro_place("Munich", "Germany", "German", "chancellor", ("Deutsche mark", "the Bundesbank"), &[]),
];

/// The place with this city, for a company's home.
pub fn place_in(city: &str) -> Option<&'static Place> {
    PLACES.iter().find(|place| place.city == city)
}

/// Indian cities, for datelines and local colour (modern names; see [`era_name`]).
pub static INDIAN_CITIES: &[&str] = &[
    "New Delhi",
    "Mumbai",
    "Bengaluru",
    "Chennai",
    "Kolkata",
    "Hyderabad",
    "Ahmedabad",
    "Pune",
    "Gurugram",
    "Noida",
    "Chandigarh",
    "Jaipur",
    "Lucknow",
    "Kochi",
    "Bhubaneswar",
    "Guwahati",
    "Patna",
    "Bhopal",
    "Indore",
    "Thiruvananthapuram",
    "Coimbatore",
    "Nagpur",
    "Visakhapatnam",
    "Surat",
    "Vadodara",
    "Ranchi",
    "Raipur",
    "Dehradun",
    "Srinagar",
    "Jammu",
    "Shimla",
    "Amritsar",
    "Ludhiana",
    "Kanpur",
    "Varanasi",
    "Mysuru",
    "Mangaluru",
    "Madurai",
    "Jamshedpur",
    "Panaji",
    "Gandhinagar",
    "Rajkot",
    "Nashik",
    "Aurangabad",
    "Tiruppur",
    "Hosur",
    "Sriperumbudur",
    "Jharsuguda",
    "Rourkela",
    "Bhilai",
    "Morbi",
    "Vapi",
    "Panipat",
    "Moradabad",
    "Hubballi",
    "Belagavi",
    "Durgapur",
    "Asansol",
    "Siliguri",
    "Cuttack",
    "Sambalpur",
    "Bokaro",
    "Dhanbad",
    "Gaya",
    "Muzaffarpur",
    "Gorakhpur",
    "Prayagraj",
    "Bareilly",
    "Aligarh",
    "Meerut",
    "Haridwar",
    "Rishikesh",
    "Solan",
    "Bathinda",
    "Jalandhar",
    "Bikaner",
    "Udaipur",
    "Jodhpur",
    "Kota",
    "Ajmer",
    "Bhavnagar",
    "Jamnagar",
    "Anand",
    "Kolhapur",
    "Solapur",
    "Sangli",
    "Ratnagiri",
    "Belapur",
    "Tirunelveli",
    "Thoothukudi",
    "Salem",
    "Erode",
    "Vellore",
    "Kozhikode",
    "Thrissur",
    "Kannur",
    "Kurnool",
    "Guntur",
    "Nellore",
    "Warangal",
    "Karimnagar",
    "Shillong",
    "Dibrugarh",
    "Silchar",
    "Imphal",
];

/// A state, its capital and the size of its Assembly.
#[derive(Debug)]
pub struct State {
    /// The state's name in the years it went by it.
    pub name: Term,
    /// Its capital (a modern name; see [`era_name`]).
    pub capital: &'static str,
    /// Seats in its Legislative Assembly.
    pub seats: u32,
}

impl Dated for State {
    fn term(&self) -> &Term {
        &self.name
    }
}

const fn state(name: Term, capital: &'static str, seats: u32) -> State {
    State { name, capital, seats }
}

/// Indian states, the most populous (and most reported) first.
pub static STATES: &[State] = &[
    state(t("Uttar Pradesh"), "Lucknow", 403),
    state(t("Maharashtra"), "Mumbai", 288),
    state(t("Bihar"), "Patna", 243),
    state(t("West Bengal"), "Kolkata", 294),
    state(t("Tamil Nadu"), "Chennai", 234),
    state(t("Karnataka"), "Bengaluru", 224),
    state(t("Gujarat"), "Gandhinagar", 182),
    state(t("Rajasthan"), "Jaipur", 200),
    state(t("Madhya Pradesh"), "Bhopal", 230),
    state(t("Kerala"), "Thiruvananthapuram", 140),
    state(until(2013, "Andhra Pradesh"), "Hyderabad", 294),
    state(since(2014, "Andhra Pradesh"), "Amaravati", 175),
    state(since(2014, "Telangana"), "Hyderabad", 119),
    state(t("Punjab"), "Chandigarh", 117),
    state(t("Haryana"), "Chandigarh", 90),
    state(since(2011, "Odisha"), "Bhubaneswar", 147),
    state(until(2010, "Orissa"), "Bhubaneswar", 147),
    state(t("Assam"), "Guwahati", 126),
    state(since(2000, "Jharkhand"), "Ranchi", 81),
    state(since(2000, "Chhattisgarh"), "Raipur", 90),
    state(since(2007, "Uttarakhand"), "Dehradun", 70),
    state(between(2000, 2006, "Uttaranchal"), "Dehradun", 70),
    state(t("Delhi"), "New Delhi", 70),
    state(t("Himachal Pradesh"), "Shimla", 68),
    state(until(2019, "Jammu and Kashmir"), "Srinagar", 87),
    state(t("Goa"), "Panaji", 40),
    state(t("Tripura"), "Agartala", 60),
    state(t("Manipur"), "Imphal", 60),
    state(t("Meghalaya"), "Shillong", 60),
    state(t("Nagaland"), "Kohima", 60),
    state(t("Mizoram"), "Aizawl", 40),
    state(t("Arunachal Pradesh"), "Itanagar", 60),
    state(t("Sikkim"), "Gangtok", 32),
];

/// A political party: "the BJP" in running text, "BJP" in a headline.
#[derive(Debug)]
pub struct Party {
    /// The name in running text, with its article where it takes one.
    pub name: Term,
    /// The name in headlines and before a noun ("BJP leader").
    pub short: &'static str,
}

impl Dated for Party {
    fn term(&self) -> &Term {
        &self.name
    }
}

const fn party(name: Term, short: &'static str) -> Party {
    Party { name, short }
}

/// Indian parties, national ones first.
pub static PARTIES: &[Party] = &[
    party(t("the BJP"), "BJP"),
    party(t("the Congress"), "Congress"),
    party(since(2012, "the Aam Aadmi Party"), "AAP"),
    party(since(1998, "the Trinamool Congress"), "Trinamool"),
    party(t("the CPI(M)"), "CPI(M)"),
    party(t("the Samajwadi Party"), "SP"),
    party(t("the BSP"), "BSP"),
    party(since(1999, "the NCP"), "NCP"),
    party(t("the Shiv Sena"), "Shiv Sena"),
    party(since(2003, "the JD(U)"), "JD(U)"),
    party(t("the RJD"), "RJD"),
    party(t("the DMK"), "DMK"),
    party(t("the AIADMK"), "AIADMK"),
    party(t("the TDP"), "TDP"),
    party(t("the BJD"), "BJD"),
    party(between(2001, 2021, "the TRS"), "TRS"),
    party(since(2022, "the BRS"), "BRS"),
    party(since(2011, "the YSR Congress"), "YSRCP"),
    party(t("the Shiromani Akali Dal"), "Akali Dal"),
    party(t("the JMM"), "JMM"),
    party(t("the National Conference"), "NC"),
];

/// Union ministers, by title (lower case, no article).
pub static MINISTERS: &[Term] = &[
    t("finance minister"),
    t("commerce and industry minister"),
    t("petroleum minister"),
    t("home minister"),
    t("external affairs minister"),
    t("power minister"),
    t("road transport minister"),
    t("railway minister"),
    t("agriculture minister"),
    t("civil aviation minister"),
    t("telecom minister"),
    t("steel minister"),
    t("coal minister"),
    t("labour minister"),
    until(2019, "human resource development minister"),
    since(2020, "education minister"),
    t("health minister"),
    t("defence minister"),
    t("environment minister"),
];

/// Brokerages, banks and rating agencies whose analysts and economists are quoted.
pub static FIRMS: &[Term] = &[
    t("Kotak Institutional Equities"),
    t("Crisil"),
    t("ICRA"),
    t("Motilal Oswal Financial Services"),
    t("Morgan Stanley"),
    t("Goldman Sachs"),
    t("Nomura"),
    t("CLSA"),
    t("HDFC Securities"),
    t("ICICI Securities"),
    t("CARE Ratings"),
    since(2013, "India Ratings and Research"),
    t("JPMorgan"),
    since(2005, "Jefferies"),
    until(2022, "Credit Suisse"),
    since(2009, "BofA Securities"),
    until(2008, "DSP Merrill Lynch"),
    t("Citi"),
    t("HSBC"),
    t("Barclays"),
    t("Edelweiss"),
    t("Emkay Global"),
    t("Nirmal Bang"),
    t("Geojit Financial Services"),
    t("Bank of Baroda"),
    t("Deutsche Bank"),
    t("UBS"),
    since(2008, "Ambit Capital"),
    t("Anand Rathi"),
    t("Prabhudas Lilladher"),
    since(2005, "Macquarie"),
];

/// Banks, brokerages and forecasters quoted on economies and markets abroad.
pub static GLOBAL_FIRMS: &[Term] = &[
    t("Goldman Sachs"),
    t("Morgan Stanley"),
    t("JPMorgan"),
    t("Nomura"),
    t("Citi"),
    t("HSBC"),
    t("Barclays"),
    t("UBS"),
    t("Deutsche Bank"),
    since(2009, "BofA Securities"),
    until(2008, "Merrill Lynch"),
    until(2022, "Credit Suisse"),
    t("Moody's"),
    t("Fitch Ratings"),
    since(2016, "S&P Global Ratings"),
    until(2015, "Standard & Poor's"),
    t("Capital Economics"),
    t("Oxford Economics"),
    since(2005, "Jefferies"),
    since(2005, "Macquarie"),
    t("CLSA"),
];

/// Asset managers, for the investor pages.
pub static FUND_HOUSES: &[Term] = &[
    t("HDFC Mutual Fund"),
    t("SBI Mutual Fund"),
    since(1998, "ICICI Prudential Mutual Fund"),
    t("Kotak Mahindra Mutual Fund"),
    since(2019, "Nippon India Mutual Fund"),
    until(2018, "Reliance Mutual Fund"),
    t("Franklin Templeton"),
    since(2009, "Axis Mutual Fund"),
    since(2008, "Mirae Asset Mutual Fund"),
    t("UTI Mutual Fund"),
    since(2017, "Aditya Birla Sun Life Mutual Fund"),
    between(1997, 2016, "Birla Sun Life Mutual Fund"),
    since(2010, "Parag Parikh Financial Advisory Services"),
    t("Tata Mutual Fund"),
];

/// Technology research houses.
pub static RESEARCH_HOUSES: &[Term] = &[
    t("Gartner"),
    t("IDC"),
    since(2010, "Counterpoint Research"),
    t("Forrester"),
    t("Everest Group"),
    since(2008, "Canalys"),
    since(2016, "Redseer"),
    t("Nasscom"),
];

/// Think tanks and universities whose scholars are quoted.
pub static INSTITUTES: &[Term] = &[
    t("the Observer Research Foundation"),
    t("the Centre for Policy Research"),
    t("the Carnegie Endowment for International Peace"),
    t("the Brookings Institution"),
    t("Jawaharlal Nehru University"),
    t("the International Crisis Group"),
    t("Chatham House"),
    t("the Indian Council for Research on International Economic Relations"),
    t("the National Institute of Public Finance and Policy"),
    t("the National Council of Applied Economic Research"),
    t("the Council on Foreign Relations"),
    t("the London School of Economics"),
    since(2003, "the Lowy Institute"),
    since(2009, "Gateway House"),
    since(2014, "Ashoka University"),
    t("the Institute of Peace and Conflict Studies"),
    t("the Stockholm International Peace Research Institute"),
    t("the National University of Singapore"),
    t("the Delhi School of Economics"),
];

/// Multilateral economic bodies.
pub static ECONOMIC_BODIES: &[Term] = &[
    t("the IMF"),
    t("the World Bank"),
    t("the WTO"),
    t("the Asian Development Bank"),
    t("the OECD"),
    t("Opec"),
    since(1999, "the G20"),
    since(2015, "the New Development Bank"),
    since(2016, "the Asian Infrastructure Investment Bank"),
];

/// Alliances and international organisations.
pub static ALLIANCES: &[Term] = &[
    t("the United Nations"),
    t("the European Union"),
    t("Nato"),
    since(1999, "the G20"),
    t("Asean"),
    until(2013, "the G8"),
    since(2014, "the G7"),
    since(2001, "the Shanghai Cooperation Organisation"),
    since(2009, "Brics"),
    since(2017, "the Quad"),
    since(2002, "the African Union"),
    t("Saarc"),
    t("the Gulf Cooperation Council"),
    t("the Commonwealth"),
    t("the UN Security Council"),
];

/// Domestic institutions that opinion writers appeal to.
pub static INSTITUTIONS: &[Term] = &[
    t("the RBI"),
    t("Sebi"),
    t("the Election Commission"),
    t("the Comptroller and Auditor General"),
    since(2009, "the Competition Commission"),
    t("the Finance Commission"),
    t("Trai"),
    until(2014, "the Planning Commission"),
    since(2015, "the NITI Aayog"),
    t("the Supreme Court"),
];

/// Traded commodities.
pub static COMMODITIES: &[Term] = &[
    t("crude oil"),
    t("gold"),
    t("steel"),
    t("copper"),
    t("natural gas"),
    t("coal"),
    t("iron ore"),
    t("silver"),
    t("aluminium"),
    t("palm oil"),
    t("cotton"),
    t("sugar"),
    t("wheat"),
    t("rice"),
    t("zinc"),
    t("nickel"),
    t("soybean"),
    t("rubber"),
    since(2015, "lithium"),
    since(2016, "cobalt"),
    t("jute"),
    t("cardamom"),
    t("guar gum"),
    t("pepper"),
];

/// Technology products, plural.
pub static PRODUCTS: &[Term] = &[
    t("personal computers"),
    since(2009, "smartphones"),
    between(1999, 2012, "mobile handsets"),
    t("servers"),
    since(2001, "laptops"),
    between(2003, 2014, "feature phones"),
    t("chips"),
    since(2011, "tablets"),
    since(2013, "smart TVs"),
    since(2015, "wearables"),
    since(2004, "set-top boxes"),
    since(2013, "electric vehicles"),
    since(2019, "electric scooters"),
    between(1997, 2002, "pagers"),
    t("routers"),
    since(2011, "solar panels"),
    since(2023, "AI accelerators"),
    t("printers"),
];

/// Investment themes for the Smart Investor.
pub static THEMES: &[Term] = &[
    t("lower interest rates"),
    t("a revival in private capex"),
    t("rising rural demand"),
    t("a pickup in credit growth"),
    t("easing input costs"),
    t("strong export demand"),
    t("higher government spending on infrastructure"),
    t("the festive season"),
    since(2015, "premiumisation"),
    since(2020, "supply-chain diversification away from China"),
    t("a weaker rupee"),
    t("a normal monsoon"),
    since(2016, "the shift to digital payments"),
];

/// Journalists' names for staff bylines.
pub static STAFF_WRITERS: &[&str] = &[
    "Priya Raman",
    "Arjun Mehta",
    "Sneha Kulkarni",
    "Rohit Bhattacharya",
    "Meera Iyer",
    "Kabir Sethi",
    "Ananya Deshpande",
    "Vikram Nair",
    "Farah Qureshi",
    "Sandeep Ghosh",
    "Nandini Rao",
    "Aditya Khanna",
    "Ishita Banerjee",
    "Rahul Venkataraman",
    "Tanvi Joshi",
    "Harpreet Kaur",
    "Siddharth Menon",
    "Kavya Reddy",
    "Amitabh Sinha",
    "Zoya Hussain",
    "Manish Agarwal",
    "Lakshmi Subramanian",
    "Devika Chatterjee",
    "Nikhil Pandey",
    "Ritu Saxena",
    "Gaurav Malhotra",
    "Pooja Thakur",
    "Anirban Dutta",
    "Shreya Pillai",
    "Karan Gill",
    "Emma Clarke",
    "Daniel Okafor",
    "Sofia Martinez",
    "James Whitfield",
    "Hannah Levy",
    "Thomas Becker",
    "Yuki Tanaka",
    "Lucas Moreau",
    "Grace Mwangi",
    "Oliver Grant",
];

/// Given names of people quoted in Indian stories.
pub static INDIAN_FIRST_NAMES: &[&str] = &[
    "Rajesh",
    "Aditi",
    "Sunil",
    "Kavita",
    "Anand",
    "Meenakshi",
    "Rakesh",
    "Deepak",
    "Shalini",
    "Vivek",
    "Ramesh",
    "Neha",
    "Arvind",
    "Sanjay",
    "Pallavi",
    "Suresh",
    "Madhavi",
    "Alok",
    "Gita",
    "Prakash",
    "Ajay",
    "Usha",
    "Vikas",
    "Rohini",
    "Harish",
    "Shweta",
    "Manoj",
    "Padma",
    "Kiran",
    "Sudhir",
    "Anjali",
    "Tarun",
    "Rekha",
    "Mohan",
    "Swati",
    "Ashok",
    "Divya",
    "Nitin",
    "Sangeeta",
    "Jayant",
    "Bhavna",
    "Hemant",
    "Girish",
    "Lalitha",
    "Mukesh",
    "Nalini",
    "Pradeep",
    "Radhika",
    "Sameer",
    "Tejaswini",
    "Umesh",
    "Vandana",
    "Yogesh",
    "Zubair",
    "Farida",
    "Gurpreet",
    "Ibrahim",
    "Jaspreet",
    "Kalpana",
    "Lokesh",
    "Mrinal",
    "Nirupama",
];

/// Family names of people quoted in Indian stories.
pub static INDIAN_SURNAMES: &[&str] = &[
    "Sharma",
    "Iyer",
    "Menon",
    "Gupta",
    "Rao",
    "Patel",
    "Nair",
    "Reddy",
    "Agarwal",
    "Mukherjee",
    "Kulkarni",
    "Verma",
    "Singh",
    "Joshi",
    "Chatterjee",
    "Banerjee",
    "Pillai",
    "Desai",
    "Mehta",
    "Kapoor",
    "Bhat",
    "Srinivasan",
    "Das",
    "Goyal",
    "Malhotra",
    "Shah",
    "Pandey",
    "Krishnan",
    "Ghosh",
    "Saxena",
    "Chopra",
    "Naidu",
    "Hegde",
    "Bose",
    "Tiwari",
    "Sethi",
    "Mishra",
    "Ahuja",
    "Khurana",
    "Venkatesh",
    "Barua",
    "Lobo",
    "Bhattacharjee",
    "Chakraborty",
    "Dasgupta",
    "Fernandes",
    "Gokhale",
    "Iyengar",
    "Jadhav",
    "Kamath",
    "Lahiri",
    "Mathur",
    "Nagarajan",
    "Oberoi",
    "Purohit",
    "Qureshi",
    "Rathore",
    "Sengupta",
    "Thakkar",
    "Upadhyay",
    "Vaidya",
    "Wadhwa",
    "Yadav",
    "Zaveri",
    "D'Souza",
    "Kohli",
    "Rajan",
    "Subramaniam",
];

/// Given names of people quoted in stories from abroad.
pub static WORLD_FIRST_NAMES: &[&str] = &[
    "John", "Maria", "David", "Anna", "Michael", "Sarah", "Thomas", "Elena", "James", "Laura", "Peter", "Yuki", "Wei",
    "Hiroshi", "Ahmed", "Fatima", "Carlos", "Ana", "Olga", "Dmitry", "Hans", "Claire", "Pierre", "Li", "Min-jun",
    "Kenji", "Omar", "Leila", "Robert", "Susan", "Paolo", "Giulia", "Ivan", "Ingrid", "Lars", "Kwame", "Amara",
    "Sofia", "Mark", "Tariq",
];

/// Family names of people quoted in stories from abroad.
pub static WORLD_SURNAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Schmidt",
    "Tanaka",
    "Chen",
    "Wang",
    "Kim",
    "Garcia",
    "Silva",
    "Petrov",
    "Dubois",
    "Martin",
    "Rossi",
    "Hassan",
    "Khan",
    "Cohen",
    "Novak",
    "Kowalski",
    "Andersen",
    "Okonkwo",
    "Mensah",
    "Brown",
    "Wilson",
    "Taylor",
    "Clarke",
    "O'Brien",
    "Fischer",
    "Moreau",
    "Nakamura",
    "Yamamoto",
    "Park",
    "Zhang",
    "Rodriguez",
    "Larsen",
    "Levi",
    "Al-Amin",
    "Ivanova",
    "Bianchi",
    "Müller",
    "Sato",
];

/// Ways to cite a source without a name.
pub static ANONYMOUS_SOURCES: &[&str] = &[
    "a senior official",
    "people familiar with the matter",
    "a government official who did not wish to be named",
    "an official aware of the development",
    "a person close to the company",
    "an industry executive",
    "two people with knowledge of the talks",
    "a banker involved in the process",
    "a senior executive",
    "an official involved in the discussions",
    "a source in the ministry",
    "a person with direct knowledge of the plan",
];

/// Words for performance when things go up, then when they go down.
pub static UP_ADJECTIVES: &[&str] = &["strong", "robust", "healthy", "firm", "buoyant", "brisk", "resilient", "upbeat"];
/// See [`UP_ADJECTIVES`].
pub static DOWN_ADJECTIVES: &[&str] =
    &["weak", "subdued", "sluggish", "muted", "tepid", "soft", "lacklustre", "patchy"];

/// How talks went.
pub static TONES: &[&str] = &[
    "constructive",
    "frank",
    "difficult",
    "cordial",
    "tense",
    "productive",
    "businesslike",
    "inconclusive",
    "candid",
    "positive",
];

/// Brokerage ratings.
pub static RATINGS: &[&str] =
    &["buy", "hold", "add", "accumulate", "sell", "neutral", "overweight", "reduce", "outperform"];

/// Lengths of time for "a {span} high".
pub static SPANS: &[&str] = &[
    "52-week",
    "record",
    "three-month",
    "six-month",
    "one-year",
    "two-year",
    "three-year",
    "five-year",
    "seven-year",
    "decade",
];

/// Small numbers as words.
pub static NUMBER_WORDS: &[&str] =
    &["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/// What a company plans to do with its money.
pub static PLANS: &[&str] = &[
    "double its capacity",
    "cut its debt",
    "expand into new markets",
    "strengthen its balance sheet",
    "launch new products",
    "build a stronger export business",
    "consolidate its manufacturing footprint",
    "invest in digital capabilities",
];

/// Corporate news that moves a stock.
pub static COMPANY_NEWS: &[&str] = &[
    "a large export order",
    "plans to restructure its operations",
    "a price increase across its product range",
    "a partnership with {rival}",
    "a bigger-than-expected dividend",
    "the sale of a non-core business",
    "a management reshuffle",
    "a capacity expansion plan",
];

/// Rare words, drawn uniformly so each one stays rare across the archive.
pub static RARE_WORDS: &[&str] = &[
    "sanguine",
    "mercurial",
    "desultory",
    "quixotic",
    "byzantine",
    "labyrinthine",
    "inchoate",
    "febrile",
    "torpid",
    "halcyon",
    "Pyrrhic",
    "Sisyphean",
    "Kafkaesque",
    "serendipitous",
    "capricious",
    "perfunctory",
    "ponderous",
    "prosaic",
    "protean",
    "recondite",
    "sclerotic",
    "soporific",
    "tenuous",
    "vertiginous",
    "anodyne",
    "ebullient",
    "insouciant",
    "lugubrious",
    "obdurate",
    "pellucid",
    "phlegmatic",
    "quotidian",
    "recalcitrant",
    "saturnine",
    "splenetic",
    "truculent",
    "vacillating",
    "baroque",
    "chimerical",
    "hubristic",
    "idiosyncratic",
    "jejune",
    "Machiavellian",
    "nugatory",
    "Orwellian",
    "Panglossian",
    "peremptory",
    "pusillanimous",
    "quiescent",
    "rococo",
    "salutary",
    "stentorian",
    "supercilious",
    "tendentious",
    "tortuous",
    "vainglorious",
    "ill-starred",
    "fractious",
    "anaemic",
    "oracular",
    "Delphic",
    "Lilliputian",
    "antediluvian",
    "apocryphal",
    "bathetic",
    "otiose",
    "mealy-mouthed",
    "hidebound",
    "pettifogging",
    "Micawberish",
    "Ozymandian",
    "Janus-faced",
    "cack-handed",
    "sybaritic",
    "fissiparous",
    "crepuscular",
    "ham-fisted",
    "gimcrack",
    "Heath Robinson",
    "Augean",
    "abstruse",
    "adamantine",
    "anfractuous",
    "apoplectic",
    "avuncular",
    "benighted",
    "bibulous",
    "bumptious",
    "convoluted",
    "cantankerous",
    "captious",
    "choleric",
    "circumlocutory",
    "coruscating",
    "crapulous",
    "dilatory",
    "disingenuous",
    "effulgent",
    "egregious",
    "eldritch",
    "epicurean",
    "equivocal",
    "execrable",
    "fatuous",
    "feckless",
    "frangible",
    "fulsome",
    "higgledy-piggledy",
    "gnomic",
    "grandiloquent",
    "hortatory",
    "iconoclastic",
    "ignominious",
    "impecunious",
    "importunate",
    "inveterate",
    "irascible",
    "lachrymose",
    "loquacious",
    "lubricious",
    "magniloquent",
    "maladroit",
    "mendacious",
    "meretricious",
    "mordant",
    "nebulous",
    "obfuscatory",
    "obstreperous",
    "officious",
    "orotund",
    "parsimonious",
    "pedantic",
    "perspicacious",
    "platitudinous",
    "portentous",
    "prolix",
    "pugnacious",
    "querulous",
    "punctilious",
    "rebarbative",
    "refulgent",
    "risible",
    "sententious",
    "solipsistic",
    "specious",
    "stultifying",
    "sui generis",
    "supine",
    "sycophantic",
    "temerarious",
    "timorous",
    "troglodytic",
    "vapid",
    "venal",
    "verbose",
    "vituperative",
    "voluble",
    "waspish",
    "zealous",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn first_is_timeless<T: Dated>(pool: &[T]) -> bool {
        let first = pool[0].term();
        first.in_use(1997) && first.in_use(OPEN - 1)
    }

    #[test]
    fn every_dated_pool_starts_with_a_timeless_entry() {
        assert!(first_is_timeless(INDIAN_COMPANIES));
        assert!(first_is_timeless(INDIAN_TECH));
        assert!(first_is_timeless(GLOBAL_COMPANIES));
        assert!(first_is_timeless(GLOBAL_TECH));
        assert!(first_is_timeless(STATES));
        assert!(first_is_timeless(PARTIES));
        for pool in [
            MINISTERS,
            FIRMS,
            GLOBAL_FIRMS,
            FUND_HOUSES,
            RESEARCH_HOUSES,
            INSTITUTES,
            ECONOMIC_BODIES,
            ALLIANCES,
            INSTITUTIONS,
            COMMODITIES,
            PRODUCTS,
            THEMES,
        ] {
            assert!(first_is_timeless(pool), "{}", pool[0].text);
        }
    }

    #[test]
    fn picks_respect_the_year() {
        let mut rng = Rng::for_story(9, 0);
        for _ in 0..2_000 {
            assert_ne!(pick(&mut rng, PRODUCTS, 1998).text, "smartphones");
            assert_ne!(pick(&mut rng, PRODUCTS, 2020).text, "pagers");
        }
    }

    #[test]
    fn every_foreign_company_has_a_home_place() {
        for company in GLOBAL_COMPANIES.iter().chain(GLOBAL_TECH) {
            assert!(place_in(company.city).is_some(), "{}", company.city);
        }
    }

    #[test]
    fn cities_take_the_name_of_their_time() {
        assert_eq!(era_name("Bengaluru", 2010), "Bangalore");
        assert_eq!(era_name("Bengaluru", 2020), "Bengaluru");
        assert_eq!(era_name("Kolkata", 1999), "Calcutta");
        assert_eq!(era_name("Mumbai", 1999), "Mumbai");
    }

    #[test]
    fn index_levels_follow_their_year() {
        // The Sensex was near 3,000 in 1998 and near 78,000 at the end of 2024.
        let early = SENSEX.level(1998, 180) / 100;
        let late = SENSEX.level(2024, 360) / 100;
        assert!((3_000..4_000).contains(&early), "{early}");
        assert!((75_000..80_000).contains(&late), "{late}");
    }
}
