# /check: our own words. Not a test and not a diagnosis: no score is ever shown.
check-intro =
    A few questions about how things are for you. This is not a test, there are no right answers.
    You can skip any question, or press Stop — then nothing is kept.
check-begin = Let's start

check-injured = Are you hurt right now, or do you need a doctor?
check-insults = Does someone close to you often insult you, humiliate you or call you names?
check-control = Does someone check your phone, decide who you may see, or stop you from going out?
check-stalking = Does someone follow you, keep track of where you are, or get jealous in a way that scares you?
check-threat-kill = Has someone threatened to kill you?
check-hurt = Has someone pushed, hit, kicked or hurt you on purpose?
check-neck = Has someone ever squeezed your neck, choked you, or stopped you from breathing?
check-weapon = Has someone used a knife, gun or other weapon against you, or threatened to?
check-worse = Has it been happening more often, or getting worse, lately?
check-pregnancy = Has someone hurt you while you were pregnant?
check-pressure = Has someone pressured you into sex you didn't want — for example for money, a place to stay or to get high?
check-forced-sex = Has someone forced you to have sex?
check-money = Does someone take your money or control it, so you have to ask for everything?
check-documents = Does someone keep your passport or other documents from you?
check-care = Has someone stopped you from getting your medicine or treatment — substitution therapy, HIV treatment, a doctor?
check-made-use = Has someone made you use, or use more than you wanted?
check-supply = Does someone control what you use, or your therapy, to make you do what they want?
check-report-threat = Has someone threatened to tell the police about your use, or to take your children away?
check-children = Has someone threatened to hurt your children or take them from you?
check-police = Have police officers threatened you, taken money from you, or hurt you?
check-medical = Have doctors, nurses or pharmacists refused to help you or treated you badly because of your use?
check-social = Have social services or a shelter turned you away, or threatened to take your children?
check-separation = Have you recently left the person who hurts you, or are you planning to leave?
check-fear = Do you think this person could kill you?

check-result = Thank you for telling me. That took courage.
check-result-forms =
    What you described is violence:
    { $forms }
check-result-not-your-fault = It is not your fault. Nobody has the right to treat you like this — whether or not you use, whatever happened before.
check-result-none = From your answers I did not see harm done to you. If something still feels wrong, that matters — you can talk to a person any time.
check-result-red-flags = Some of what you said means you may be in serious danger. Please think about your safety first.
check-next-plan = Make a safety plan
check-next-services = Find help near me
check-next-talk = Talk to a person

form-psychological = psychological: insults, threats, control over your life
form-physical = physical: being hit, hurt or choked
form-sexual = sexual: sex you did not want
form-economic = economic: money, documents or treatment taken from you
form-structural = from institutions: police, medical staff or social services
form-drug_coercion = coercion around using: being made to use, or your use held against you
