"""Given names that are the same name to a person, and words that are not names at all.

"Bill" and "William" on the same date of birth at the same address is the
commonest duplicate on a voter list, and no string distance sees it. Each
line below is one group: a formal name followed by the short forms and
spellings people register under. A name may sit in several groups ("bert" is
Albert, Bertram, Herbert and Robert); two names compare as nicknames when
they share any group. The list was written for votetrail from common English
usage; add to it freely, a group per line.
"""

from __future__ import annotations

_GROUPS = """
abigail abby abbie gail
abraham abe bram
albert al bert bertie
alexander alex alec alick sandy xander sasha
alexandra alex alexa sandra sandy lexie
alfred alf alfie fred freddie
alice ally allie alicia
allan alan allen al
andrew andy drew
angela angie
ann anne anna annie nan nancy hannah
anthony tony antony
archibald archie
arnold arnie
arthur art artie
augustus gus augustine
barbara barb babs barbie
benjamin ben benny benji
bernard bernie barney
bertram bert bertie
beatrice bea trixie
catherine cathy cath kate katie kathy kathryn katherine kitty cat kat kay kit
cecil cece
charles charlie chas chuck chaz carl karl
charlotte lottie charlie
christine chris chrissy tina kristine
christopher chris kit topher
clarence clare
cornelius neil con
cynthia cindy
daniel dan danny
david dave davy davey
deborah debbie deb debra
dennis denny
diana di diane dianne
dominic dom
donald don donnie
dorothy dot dottie dolly
douglas doug
edward ed eddie eddy ned ted teddy ward
edmund ed eddie ned ted
edwin ed eddie ned
eleanor ellie nell nellie elle nora leonora
elizabeth liz lizzie beth betty betsy bess bessie eliza elsie lisa libby
emily em emmy millie
emma em emmy
eugene gene
evelyn eve evie
ferdinand ferdie fred
florence flo flossie florrie
frances fran fanny frankie
francis frank frankie fran
frederick fred freddie freddy fritz
gabriel gabe
geoffrey geoff jeff jeffrey
george georgie geordie
gerald gerry jerry
gertrude gertie trudy
gilbert gil bert
gregory greg
harold harry hal
harriet hattie hatty
helen nell nellie ellen lena
henry harry hank hal hen
herbert herb bert bertie
horace horry
howard howie
hugh hughie hugo
isaac ike
isabel isabella isabelle bella izzy belle
jacob jake jack
james jim jimmy jimmie jamie jem
jane jenny jennie janey jean
janet jan jenny
jennifer jen jenny jennie
jeremiah jerry
jeremy jerry
john jack johnny jon jonny
jonathan jon jonny nathan
joseph joe joey jos
joshua josh
josephine jo josie
judith judy jude
julia julie
katharine kate katie kathy kitty
kenneth ken kenny
laurence larry laurie lawrence lance
leonard leo len lenny
lewis lou louie louis
louisa lou louise lulu
lucy lu lucinda
margaret maggie meg peggy madge marge margie maisie greta rita daisy molly peg
martha marty patty mattie
martin marty
mary molly polly mae mamie mollie minnie marie
matilda tilly tillie maud
matthew matt matty
michael mike mick mickey mikey
mildred millie milly
nathaniel nat nathan
nicholas nick nicky nico
oliver ollie olly noll
patricia pat patty trish tricia
patrick pat paddy
peter pete
philip phil pip
rebecca becky becca
reginald reg reggie
richard rich rick ricky dick dickie richie
robert rob bob bobby robbie bert robin
ronald ron ronnie
rosalind rose rosie ros
rose rosie rosa
samuel sam sammy
sarah sally sadie sara
sidney sid
solomon sol
stephen steve stevie steven
susan sue susie suzy susanna susannah
theodore ted teddy theo
thomas tom tommy thom
timothy tim timmy
valentine val
victoria vicky tori
vincent vince vinnie
walter walt wally
wilfred wilf fred
william will bill billy willie willy liam wills
winifred winnie freda
zachary zach zack
""".strip().splitlines()

GROUPS: tuple[tuple[str, ...], ...] = tuple(tuple(line.split()) for line in _GROUPS)

TITLES = [
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "doctor",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "revd",
    "reverend",
    "fr",
    "father",
    "prof",
    "professor",
    "capt",
    "captain",
    "col",
    "colonel",
    "maj",
    "major",
    "gen",
    "general",
    "lt",
    "lieutenant",
    "sgt",
    "sergeant",
    "admiral",
    "hon",
    "honourable",
    "honorable",
    "rt",
    "right",
    "st",
    "saint",
    "bishop",
    "archbishop",
    "canon",
    "baron",
    "baroness",
    "earl",
    "count",
    "countess",
    "duke",
    "duchess",
    "viscount",
    "marquess",
    "king",
    "queen",
    "prince",
    "princess",
]
"""Words clerks and transcribers put before a name; a first name that is only these is missing."""

NAME_SUFFIXES = [
    "jr",
    "jnr",
    "junior",
    "sr",
    "snr",
    "senior",
    "ii",
    "iii",
    "iv",
    "esq",
    "bt",
    "baronet",
    "phd",
    "md",
]
"""Words that end up in a last-name field without being part of the surname."""
