// The LFPSE code system tables (see fhir_code_systems.h). Codes and
// versions are the taxonomy's; the Vigil values and the choices where no
// exact equivalent exists are Vigil's (docs/fhir.md).
#include "ingest/fhir_code_systems.h"

#include <array>
#include <charconv>
#include <vector>

namespace vigil {
namespace {

constexpr uint8_t kV4 = kTaxonomyV4;
constexpr uint8_t kV5 = kTaxonomyV5;
constexpr uint8_t kV4V5 = kTaxonomyV4 | kTaxonomyV5;

// agent-type-4 / agent-type-5. v5 split v4's "Built Environment" (6) and
// "Furniture or Fittings" (5) into Buildings or Infrastructure (13) and
// Estates Services (14), and "Blood or Blood products" (7) into Blood (11)
// and Blood products (12).
constexpr FhirCode kAgentType[] = {
    {"4", "medication", kV4V5},      // Medications
    {"3", "device", kV4V5},          // Devices
    {"9", "it_system", kV4V5},       // IT Systems or Software
    {"13", "buildings", kV5},        // Buildings or Infrastructure
    {"14", "estates", kV5},          // Estates Services
    {"11", "blood", kV5},            // Blood
    {"12", "blood_products", kV5},   // Blood products
    {"8", "tissue_organs", kV4V5},   // Tissues or Organs for transplant
    {"10", "", kV4V5},               // None of the above
    {"6", "buildings", kV4},         // Built Environment
    {"5", "buildings", kV4},         // Furniture or Fittings
    {"7", "blood", kV4},             // Blood or Blood products
};

// service-type-4 / service-type-5. LFPSE does not split acute care into
// inpatient, emergency department and outpatient: code 1 is "acute".
constexpr FhirCode kServiceType[] = {
    {"1", "acute", kV4V5},                 // Acute, general or specialist services
    {"19", "maternity", kV5},              // Maternity services (inpatient or community)
    {"17", "primary_care", kV5},           // GP incl. out-of-hours and minor injury units
    {"18", "nhs_111", kV5},                // NHS 111
    {"3", "ambulance", kV4V5},             // Ambulance and 999
    {"4", "mental_health", kV4V5},         // Mental health services
    {"7", "community", kV4V5},             // Community general/district nursing
    {"6", "community", kV4V5},             // Community therapy services
    {"8", "prison_healthcare", kV4V5},     // Prison healthcare
    {"9", "community_pharmacy", kV4V5},    // Community pharmacy
    {"10", "community_optometry", kV4V5},  // Community optometry
    {"11", "community_dentistry", kV4V5},  // Community dentistry
    {"12", "care_home", kV4V5},            // Care home services (residential or nursing)
    {"16", "intermediate_care", kV5},      // Intermediate care services
    {"13", "social_care", kV4V5},          // Social care services
    {"14", "learning_disability", kV4V5},  // LD and Autism services
    {"15", "", kV4V5},                     // I don't know
    {"2", "primary_care", kV4},            // GP, walk-in service or NHS 111
    {"5", "community", kV4},               // Community hospital
};

// specialty-4 / specialty-5 (code-systems/specialty.md): the slug is the
// display name (v5's where both define the code) in lower case with every
// run of other characters an underscore. v4 codes are 1 to 101, v5 drops 13
// of them and adds 102 to 215. Most of the 13 codes whose display changed
// were only renamed, but two changed what they name: 89 (v4 "Renal
// surgery", v5 "Renal Medicine") and 38 (v4 "General dental practice", v5
// "General Dental Surgery"); a v4 record with either is read as v5's
// specialty, since one table cannot give a code two slugs.
constexpr FhirCode kSpecialty[] = {
    {"1", "accident_and_emergency", kV4},  // Accident and emergency
    {"2", "acute_internal_medicine", kV4V5},  // Acute internal medicine
    {"3", "adult_mental_health", kV4V5},  // Adult Mental Health
    {"4", "allied_health_professional", kV4V5},  // Allied Health Professional
    {"5", "anaesthetics", kV4V5},  // Anaesthetics
    {"6", "audiology", kV4V5},  // Audiology
    {"7", "blood_transfusion", kV4V5},  // Blood transfusion
    {"8", "breast_surgery", kV4V5},  // Breast surgery
    {"9", "burns_surgery", kV4V5},  // Burns surgery
    {"10", "cardiology", kV4V5},  // Cardiology
    {"11", "cardiothoracic_surgery", kV4V5},  // Cardiothoracic surgery
    {"12", "care_of_older_people", kV4},  // Care of older people
    {"13", "chemical_pathology", kV4V5},  // Chemical pathology
    {"14", "child_and_adolescent_psychiatry", kV4V5},  // Child and adolescent psychiatry
    {"15", "chiropody_or_podiatry", kV4},  // Chiropody or podiatry
    {"16", "clinical_genetics", kV4V5},  // Clinical genetics
    {"17", "clinical_haematology", kV4V5},  // Clinical haematology
    {"18", "clinical_immunology", kV4V5},  // Clinical Immunology
    {"19", "clinical_neurophysiology", kV4V5},  // Clinical neurophysiology
    {"20", "clinical_oncology", kV4V5},  // Clinical oncology
    {"21", "clinical_pharmacology", kV4V5},  // Clinical pharmacology
    {"22", "clinical_physiology", kV4V5},  // Clinical physiology
    {"23", "colorectal_surgery", kV4V5},  // Colorectal surgery
    {"24", "community_health_services_dental", kV4V5},  // Community health services dental
    {"25", "community_medicine", kV4V5},  // Community medicine
    {"26", "community_midwifery", kV4},  // Community midwifery
    {"27", "community_nursing", kV4},  // Community nursing
    {"28", "community_paediatrics", kV4V5},  // Community paediatrics
    {"29", "community_sexual_and_reproductive_health", kV4V5},  // Community sexual and reproductive health
    {"30", "critical_care_medicine", kV4},  // Critical care medicine
    {"31", "dental_medicine", kV4V5},  // Dental Medicine
    {"32", "dermatology", kV4V5},  // Dermatology
    {"33", "endocrinology_and_diabetes", kV4V5},  // Endocrinology and Diabetes
    {"34", "endodontics", kV4V5},  // Endodontics
    {"35", "ear_nose_and_throat", kV4V5},  // Ear, Nose and Throat
    {"36", "forensic_psychiatry", kV4V5},  // Forensic psychiatry
    {"37", "gastroenterology", kV4V5},  // Gastroenterology
    {"38", "general_dental_surgery", kV4V5},  // General Dental Surgery
    {"39", "general_medical_practice", kV4V5},  // General medical practice
    {"40", "general_medicine", kV4},  // General medicine
    {"41", "general_pathology", kV4V5},  // General pathology
    {"42", "general_surgery", kV4V5},  // General surgery
    {"43", "genitourinary_medicine", kV4V5},  // Genitourinary medicine
    {"44", "elderly_medicine", kV4V5},  // Elderly Medicine
    {"45", "gynaecological_oncology", kV4V5},  // Gynaecological oncology
    {"46", "gynaecology", kV4V5},  // Gynaecology
    {"47", "haematology", kV4V5},  // Haematology
    {"48", "health_visiting_or_school_nursing", kV4},  // Health visiting or school nursing
    {"49", "histopathology", kV4V5},  // Histopathology
    {"50", "immunopathology", kV4V5},  // Immunopathology
    {"51", "infectious_diseases", kV4V5},  // Infectious diseases
    {"52", "learning_disability", kV4V5},  // Learning disability
    {"53", "medical_microbiology", kV4V5},  // Medical microbiology
    {"54", "medical_microbiology_and_virology", kV4V5},  // Medical microbiology and virology
    {"55", "medical_oncology", kV4V5},  // Medical oncology
    {"56", "medical_ophthalmology", kV4V5},  // Medical ophthalmology
    {"57", "medical_virology", kV4V5},  // Medical virology
    {"58", "midwifery", kV4V5},  // Midwifery
    {"59", "neonatology", kV4},  // Neonatology
    {"60", "nephrology", kV4},  // Nephrology
    {"61", "neurology", kV4V5},  // Neurology
    {"62", "neurosurgery", kV4V5},  // Neurosurgery
    {"63", "nuclear_medicine", kV4V5},  // Nuclear medicine
    {"64", "nursing", kV4V5},  // Nursing
    {"65", "obstetrics", kV4V5},  // Obstetrics
    {"66", "obstetrics_and_gynaecology", kV4V5},  // Obstetrics and gynaecology
    {"67", "occupational_medicine", kV4V5},  // Occupational medicine
    {"68", "old_age_psychiatry", kV4V5},  // Old age psychiatry
    {"69", "ophthalmology", kV4V5},  // Ophthalmology
    {"70", "oral_and_maxillofacial_surgery", kV4V5},  // Oral and maxillofacial surgery
    {"71", "oral_surgery", kV4V5},  // Oral surgery
    {"72", "orthodontics", kV4V5},  // Orthodontics
    {"73", "paediatric_cardiology", kV4V5},  // Paediatric cardiology
    {"74", "paediatric_dentistry", kV4V5},  // Paediatric dentistry
    {"75", "paediatric_neurology", kV4V5},  // Paediatric neurology
    {"76", "paediatric_surgery", kV4V5},  // Paediatric surgery
    {"77", "paediatrics", kV4V5},  // Paediatrics
    {"78", "palliative_medicine", kV4V5},  // Palliative medicine
    {"79", "periodontics", kV4V5},  // Periodontics
    {"80", "pharmacy_inpatient", kV4},  // Pharmacy (inpatient)
    {"81", "plastic_surgery", kV4V5},  // Plastic surgery
    {"82", "prosthodontics", kV4V5},  // Prosthodontics
    {"83", "psychotherapy", kV4},  // Psychotherapy
    {"84", "patient_transport_service", kV4},  // Patient transport service
    {"85", "public_health_dental", kV4V5},  // Public health dental
    {"86", "public_health_medicine", kV4V5},  // Public health medicine
    {"87", "radiology", kV4V5},  // Radiology
    {"88", "rehabilitation_medicine", kV4V5},  // Rehabilitation Medicine
    {"89", "renal_medicine", kV4V5},  // Renal Medicine
    {"90", "respiratory_medicine", kV4V5},  // Respiratory Medicine
    {"91", "restorative_dentistry", kV4V5},  // Restorative dentistry
    {"92", "rheumatology", kV4V5},  // Rheumatology
    {"93", "special_care_dentistry", kV4V5},  // Special care dentistry
    {"94", "sport_and_exercise_medicine", kV4V5},  // Sport and exercise medicine
    {"95", "surgical_dentistry", kV4V5},  // Surgical dentistry
    {"96", "thoracic_surgery", kV4V5},  // Thoracic surgery
    {"97", "trauma_and_orthopaedics", kV4V5},  // Trauma and orthopaedics
    {"98", "tropical_medicine", kV4V5},  // Tropical medicine
    {"99", "urology", kV4V5},  // Urology
    {"100", "vascular_surgery", kV4V5},  // Vascular surgery
    {"101", "", kV4V5},  // I don't know
    {"102", "allergy", kV5},  // Allergy
    {"103", "audio_vestibular_medicine", kV5},  // Audio Vestibular Medicine
    {"104", "aviation_and_space_medicine", kV5},  // Aviation and Space Medicine
    {"105", "emergency_medicine", kV5},  // Emergency Medicine
    {"106", "general_internal_medicine", kV5},  // General Internal Medicine
    {"107", "intensive_care_medicine", kV5},  // Intensive Care Medicine
    {"108", "medical_psychotherapy", kV5},  // Medical Psychotherapy
    {"109", "addiction", kV5},  // Addiction
    {"110", "adult_cystic_fibrosis", kV5},  // Adult Cystic Fibrosis
    {"111", "anticoagulants", kV5},  // Anticoagulants
    {"112", "art_therapy", kV5},  // Art Therapy
    {"113", "bariatric_surgery", kV5},  // Bariatric Surgery
    {"114", "blood_and_marrow_transplantation", kV5},  // Blood and Marrow Transplantation
    {"115", "cardiac_physiology", kV5},  // Cardiac Physiology
    {"116", "cardiac_rehabilitation", kV5},  // Cardiac Rehabilitation
    {"117", "cardiac_surgery", kV5},  // Cardiac Surgery
    {"118", "cardiothoracic_transplantation", kV5},  // Cardiothoracic Transplantation
    {"119", "clinical_immunology_and_allergy", kV5},  // Clinical Immunology and Allergy
    {"120", "clinical_psychology", kV5},  // Clinical Psychology
    {"121", "complex_specialised_rehabilitation", kV5},  // Complex Specialised Rehabilitation
    {"122", "congenital_heart_disease", kV5},  // Congenital Heart Disease
    {"123", "dementia_assessment", kV5},  // Dementia Assessment
    {"124", "diabetes", kV5},  // Diabetes
    {"125", "diabetic_education", kV5},  // Diabetic Education
    {"126", "diagnostic_imaging", kV5},  // Diagnostic Imaging
    {"127", "dietetics", kV5},  // Dietetics
    {"128", "dramatherapy", kV5},  // Dramatherapy
    {"129", "eating_disorders", kV5},  // Eating Disorders
    {"130", "endocrine_surgery", kV5},  // Endocrine Surgery
    {"131", "endocrinology", kV5},  // Endocrinology
    {"132", "fetal_medicine", kV5},  // Fetal Medicine
    {"133", "gastrointestinal_physiology", kV5},  // Gastrointestinal Physiology
    {"134", "haemophilia", kV5},  // Haemophilia
    {"135", "hepatobiliary_and_pancreatic_surgery", kV5},  // Hepatobiliary and Pancreatic Surgery
    {"136", "hepatology", kV5},  // Hepatology
    {"137", "homecare_medicines_service_not_care_home", kV5},  // Homecare Medicines service (NOT CARE HOME)
    {"138", "inherited_metabolic_medicine", kV5},  // Inherited Metabolic Medicine
    {"139", "intermediate_care", kV5},  // Intermediate Care
    {"140", "interventional_radiology", kV5},  // Interventional Radiology
    {"141", "liaison_psychiatry", kV5},  // Liaison Psychiatry
    {"142", "local_specialist_rehabilitation", kV5},  // Local Specialist Rehabilitation
    {"143", "maxillofacial_surgery", kV5},  // Maxillofacial Surgery
    {"144", "mental_health_dual_diagnosis", kV5},  // Mental Health Dual Diagnosis
    {"145", "mental_health_recovery_and_rehabilitation", kV5},  // Mental Health Recovery and Rehabilitation
    {"146", "music_therapy", kV5},  // Music Therapy
    {"147", "neonatal_critical_care", kV5},  // Neonatal Critical Care
    {"148", "neuropsychiatry", kV5},  // Neuropsychiatry
    {"149", "occupational_therapy", kV5},  // Occupational Therapy
    {"150", "ophthalmic_and_vision_science", kV5},  // Ophthalmic and Vision Science
    {"151", "optometry", kV5},  // Optometry
    {"152", "orthogeriatric_medicine", kV5},  // Orthogeriatric Medicine
    {"153", "orthopaedics", kV5},  // Orthopaedics
    {"154", "orthoptics", kV5},  // Orthoptics
    {"155", "orthotics", kV5},  // Orthotics
    {"156", "paediatric_audio_vestibular_medicine", kV5},  // Paediatric Audio Vestibular Medicine
    {"157", "paediatric_burns_care", kV5},  // Paediatric Burns Care
    {"158", "paediatric_cardiac_surgery", kV5},  // Paediatric Cardiac Surgery
    {"159", "paediatric_clinical_haematology", kV5},  // Paediatric Clinical Haematology
    {"160", "paediatric_clinical_immunology_and_allergy", kV5},  // Paediatric Clinical Immunology and Allergy
    {"161", "paediatric_clinical_pharmacology", kV5},  // Paediatric Clinical Pharmacology
    {"162", "paediatric_cystic_fibrosis", kV5},  // Paediatric Cystic Fibrosis
    {"163", "paediatric_dermatology", kV5},  // Paediatric Dermatology
    {"164", "paediatric_diabetes", kV5},  // Paediatric Diabetes
    {"165", "paediatric_ear_nose_and_throat", kV5},  // Paediatric Ear Nose and Throat
    {"166", "paediatric_emergency_medicine", kV5},  // Paediatric Emergency Medicine
    {"167", "paediatric_endocrinology", kV5},  // Paediatric Endocrinology
    {"168", "paediatric_epilepsy", kV5},  // Paediatric Epilepsy
    {"169", "paediatric_gastroenterology", kV5},  // Paediatric Gastroenterology
    {"170", "paediatric_gastrointestinal_surgery", kV5},  // Paediatric Gastrointestinal Surgery
    {"171", "paediatric_hepatology", kV5},  // Paediatric Hepatology
    {"172", "paediatric_infectious_diseases", kV5},  // Paediatric Infectious Diseases
    {"173", "paediatric_inherited_metabolic_medicine", kV5},  // Paediatric Inherited Metabolic Medicine
    {"174", "paediatric_intensive_care", kV5},  // Paediatric Intensive Care
    {"175", "paediatric_interventional_radiology", kV5},  // Paediatric Interventional Radiology
    {"176", "paediatric_medical_oncology", kV5},  // Paediatric Medical Oncology
    {"177", "paediatric_nephrology", kV5},  // Paediatric Nephrology
    {"178", "paediatric_neurodisability", kV5},  // Paediatric Neurodisability
    {"179", "paediatric_neurosurgery", kV5},  // Paediatric Neurosurgery
    {"180", "paediatric_ophthalmology", kV5},  // Paediatric Ophthalmology
    {"181", "paediatric_oral_and_maxillofacial_surgery", kV5},  // Paediatric Oral and Maxillofacial Surgery
    {"182", "paediatric_pain_management", kV5},  // Paediatric Pain Management
    {"183", "paediatric_palliative_medicine", kV5},  // Paediatric Palliative Medicine
    {"184", "paediatric_plastic_surgery", kV5},  // Paediatric Plastic Surgery
    {"185", "paediatric_respiratory_medicine", kV5},  // Paediatric Respiratory Medicine
    {"186", "paediatric_rheumatology", kV5},  // Paediatric Rheumatology
    {"187", "paediatric_thoracic_surgery", kV5},  // Paediatric Thoracic Surgery
    {"188", "paediatric_transplantation_surgery", kV5},  // Paediatric Transplantation Surgery
    {"189", "paediatric_trauma_and_orthopaedics", kV5},  // Paediatric Trauma and Orthopaedics
    {"190", "paediatric_urology", kV5},  // Paediatric Urology
    {"191", "pain_management", kV5},  // Pain Management
    {"192", "perinatal_mental_health", kV5},  // Perinatal Mental Health
    {"193", "physiotherapy", kV5},  // Physiotherapy
    {"194", "podiatric_surgery", kV5},  // Podiatric Surgery
    {"195", "podiatry", kV5},  // Podiatry
    {"196", "post_covid_19_syndrome", kV5},  // Post-COVID-19 Syndrome
    {"197", "prosthetics", kV5},  // Prosthetics
    {"198", "psychiatric_intensive_care", kV5},  // Psychiatric Intensive Care
    {"199", "pulmonary_rehabilitation", kV5},  // Pulmonary Rehabilitation
    {"200", "rare_diseases", kV5},  // Rare Diseases
    {"201", "respiratory_physiology", kV5},  // Respiratory Physiology
    {"202", "respite_care", kV5},  // Respite Care
    {"203", "sleep_medicine", kV5},  // Sleep Medicine
    {"204", "specialist_rehabilitation", kV5},  // Specialist Rehabilitation
    {"205", "speech_and_language_therapy", kV5},  // Speech and Language Therapy
    {"206", "spinal_injuries", kV5},  // Spinal Injuries
    {"207", "spinal_surgery", kV5},  // Spinal Surgery
    {"208", "stroke_medicine", kV5},  // Stroke Medicine
    {"209", "transient_ischaemic_attack", kV5},  // Transient Ischaemic Attack
    {"210", "transplant_surgery", kV5},  // Transplant Surgery
    {"211", "trauma_surgery", kV5},  // Trauma Surgery
    {"212", "upper_gastrointestinal_surgery", kV5},  // Upper Gastrointestinal Surgery
    {"213", "urological_physiology", kV5},  // Urological Physiology
    {"214", "vascular_physiology", kV5},  // Vascular Physiology
    {"215", "well_baby_service", kV5},  // Well Baby Service
};

// level-of-physical-harm (LFPSE OT001), the same in v4 and v5.
constexpr FhirCode kPhysicalHarm[] = {
    {"5", "none", kV4V5},      // No physical harm
    {"4", "low", kV4V5},       // Low physical harm
    {"3", "moderate", kV4V5},  // Moderate physical harm
    {"2", "severe", kV4V5},    // Severe physical harm
    {"1", "fatal", kV4V5},     // Fatal
};

// level-of-psychological-harm (LFPSE OT002), the same in v4 and v5.
constexpr FhirCode kPsychologicalHarm[] = {
    {"4", "none", kV4V5},      // No psychological harm
    {"3", "low", kV4V5},       // Low psychological harm
    {"2", "moderate", kV4V5},  // Moderate psychological harm
    {"1", "severe", kV4V5},    // Severe psychological harm
};

// age-brackets, the same in v4 and v5. Vigil's bands follow LFPSE's up to
// 46-65; LFPSE's 66-85 straddles Vigil's 66-75 and 76+, so it gives no band.
constexpr FhirCode kAgeBracket[] = {
    {"1", "0-14d", kV4V5},   {"2", "15-28d", kV4V5}, {"3", "1-11m", kV4V5},
    {"4", "1-4", kV4V5},     {"5", "5-9", kV4V5},    {"6", "10-15", kV4V5},
    {"7", "16-17", kV4V5},   {"8", "18-25", kV4V5},  {"9", "26-45", kV4V5},
    {"10", "46-65", kV4V5},  {"11", "", kV4V5},      // 66-85 years
    {"12", "76+", kV4V5},                            // 85+ years
};

// gender, the same in v4 and v5.
constexpr FhirCode kGender[] = {
    {"1", "female", kV4V5},    // Female
    {"2", "male", kV4V5},      // Male
    {"3", "unknown", kV4V5},   // I don't know
    {"4", "withheld", kV4V5},  // Withheld, not specified or other
};

// ethnicity-5 (v5 only) to the NHS ethnic category letter (NHS Data
// Dictionary, 2001 census groups) of the same group.
constexpr FhirCode kEthnicity[] = {
    {"11", "A", kV5},  // English, Welsh, Scottish, Northern Irish or British
    {"12", "B", kV5},  // Irish
    {"13", "C", kV5},  // Any other White background
    {"21", "D", kV5},  // White and Black Caribbean
    {"22", "E", kV5},  // White and Black African
    {"23", "F", kV5},  // White and Asian
    {"24", "G", kV5},  // Any other mixed or multiple ethnic background
    {"31", "H", kV5},  // Indian
    {"32", "J", kV5},  // Pakistani
    {"33", "K", kV5},  // Bangladeshi
    {"35", "L", kV5},  // Any other Asian background
    {"42", "M", kV5},  // Caribbean
    {"41", "N", kV5},  // African
    {"43", "P", kV5},  // Any other Black, African or Caribbean background
    {"34", "R", kV5},  // Chinese
    {"51", "S", kV5},  // Any other ethnic group
    {"52", "Z", kV5},  // I don't know (not stated)
};

// safety-challenges: category evidence.
constexpr FhirCode kSafetyChallenges[] = {
    {"1", "pressure_ulcer", kV4V5},  // Pressure ulcers
    {"2", "fall", kV4V5},            // Falls
    {"3", "self_harm", kV4V5},       // Self harm
    {"4", "radiotherapy", kV4V5},    // Radiotherapy incident
    {"5", "infection", kV4V5},       // Healthcare associated infection
    {"7", "screening", kV5},         // Screening services incident
    {"6", "", kV4V5},                // None of the above
};

// healthcare-process: category evidence, the nearest Vigil category.
constexpr FhirCode kHealthcareProcess[] = {
    {"4", "diagnosis", kV4V5},                   // Diagnosis or decision-making
    {"6", "treatment", kV4V5},                   // Intervention, treatment, care provision...
    {"7", "care_monitoring", kV4V5},             // Evaluation, review, monitoring or follow-up
    {"8", "access_transfer_discharge", kV4V5},   // Referral, escalation or change of setting
    {"1", "access_transfer_discharge", kV4V5},   // Accessing healthcare, treatment, or advice
    {"2", "access_transfer_discharge", kV4V5},   // Admission or acceptance into healthcare
    {"3", "diagnosis", kV4V5},                   // Assessment, examination, investigation...
    {"5", "treatment", kV4V5},                   // Planning or prescribing
    {"9", "access_transfer_discharge", kV4V5},   // Discharge or ending a type of healthcare
    {"10", "care_monitoring", kV4V5},            // Self-care or safety-netting
    {"11", "", kV4V5},                           // Not a direct part of healthcare delivery
    {"12", "", kV4V5},                           // I don't know
};

// risk-themes: category evidence for risks.
constexpr FhirCode kRiskTheme[] = {
    {"1", "staffing", kV4V5},        // Staffing, workload, capacity or capability
    {"2", "device", kV4V5},          // Medical devices, including supply issues
    {"3", "medication", kV4V5},      // Medication, including supply issues
    {"4", "estates", kV4V5},         // Non-medical devices/equipment
    {"5", "estates", kV4V5},         // Healthcare buildings, fixtures and fittings
    {"6", "it_system", kV4V5},       // Information Technology or transfer of information
    {"7", "administration", kV4V5},  // Administrative, governance or managerial systems
    {"8", "", kV4V5},                // Other
};

// outcome-type: any code makes the record an outcome; the slug documents it.
constexpr FhirCode kOutcomeType[] = {
    {"1", "death_not_thought_related", kV4V5},
    {"2", "unplanned_reattendance_readmission", kV4V5},
    {"3", "unplanned_critical_care_admission", kV4V5},
    {"5", "return_to_theatre", kV4V5},
    {"10", "unplanned_caesarean", kV4V5},
    {"7", "crash_call", kV4V5},
    {"4", "safeguarding_notification", kV4V5},
    {"9", "postpartum_haemorrhage", kV4V5},
    {"15", "covid_19", kV4},
};

constexpr std::string_view kCodeSystems = ".mkdocs/docs/v{4,5}/code-systems.md";

const std::array<FhirCodeSystem, kFhirCodeSystemCount> kSystems = {{
    {"agent-type", kCodeSystems, kAgentType},
    {"service-type", kCodeSystems, kServiceType},
    {"specialty", ".mkdocs/docs/v{4,5}/code-systems/specialty.md", kSpecialty},
    {"level-of-physical-harm", kCodeSystems, kPhysicalHarm},
    {"level-of-psychological-harm", kCodeSystems, kPsychologicalHarm},
    {"age-brackets", kCodeSystems, kAgeBracket},
    {"gender", kCodeSystems, kGender},
    {"ethnicity", ".mkdocs/docs/v5/code-systems.md", kEthnicity},
    {"safety-challenges", kCodeSystems, kSafetyChallenges},
    {"healthcare-process", kCodeSystems, kHealthcareProcess},
    {"risk-themes", kCodeSystems, kRiskTheme},
    {"outcome-type", kCodeSystems, kOutcomeType},
}};

// Every taxonomy code Vigil reads is a decimal number below this.
constexpr int kMaxCodeValue = 256;

// Per system, the row index of each numeric code (-1 when undefined), so a
// lookup is one parse and one array read.
struct CodeIndex {
  std::array<std::array<int16_t, kMaxCodeValue>, kFhirCodeSystemCount> rows;
  CodeIndex() {
    for (auto& system : rows) system.fill(-1);
    for (size_t s = 0; s < kFhirCodeSystemCount; ++s) {
      const auto codes = kSystems[s].codes;
      for (size_t i = 0; i < codes.size(); ++i) {
        int value = 0;
        std::from_chars(codes[i].code.data(), codes[i].code.data() + codes[i].code.size(), value);
        rows[s][static_cast<size_t>(value)] = static_cast<int16_t>(i);
      }
    }
  }
};

const CodeIndex& code_index() {
  static const CodeIndex index;
  return index;
}

}  // namespace

const FhirCodeSystem& fhir_code_system(FhirCodeSystemId id) {
  return kSystems[static_cast<size_t>(id)];
}

const FhirCode* find_fhir_code(FhirCodeSystemId id, std::string_view code) {
  // Codes are written without leading zeros or signs: "05" is not "5".
  if (code.empty() || code.size() > 3 || (code[0] == '0' && code.size() > 1)) return nullptr;
  int value = 0;
  const auto [end, error] = std::from_chars(code.data(), code.data() + code.size(), value);
  if (error != std::errc() || end != code.data() + code.size() || value < 0 ||
      value >= kMaxCodeValue) {
    return nullptr;
  }
  const int16_t row = code_index().rows[static_cast<size_t>(id)][static_cast<size_t>(value)];
  return row < 0 ? nullptr : &fhir_code_system(id).codes[static_cast<size_t>(row)];
}

std::string_view fhir_code_for(FhirCodeSystemId id, std::string_view vigil) {
  if (vigil.empty()) return {};
  for (const FhirCode& row : fhir_code_system(id).codes) {
    if ((row.versions & kTaxonomyV5) != 0 && row.vigil == vigil) return row.code;
  }
  return {};
}

std::string_view category_of_agent(std::string_view agent_slug) {
  if (agent_slug == "buildings" || agent_slug == "estates") return "estates";
  if (agent_slug == "blood_products" || agent_slug == "blood") return "blood";
  if (agent_slug == "medication" || agent_slug == "device" || agent_slug == "it_system" ||
      agent_slug == "tissue_organs") {
    for (const FhirCode& row : kAgentType) {
      if (row.vigil == agent_slug) return row.vigil;  // static storage
    }
  }
  return {};
}

std::string_view derive_fhir_category(std::string_view safety_challenge, std::string_view agent,
                                      std::string_view process, std::string_view risk_theme) {
  if (!safety_challenge.empty()) return safety_challenge;
  if (!agent.empty()) return agent;
  if (!process.empty()) return process;
  if (!risk_theme.empty()) return risk_theme;
  return "unclassified";
}

namespace {
struct YearBand {
  int64_t min_years;
  std::string_view band;
};
constexpr YearBand kYearBands[] = {{76, "76+"},   {66, "66-75"}, {46, "46-65"}, {26, "26-45"},
                                   {18, "18-25"}, {16, "16-17"}, {10, "10-15"}, {5, "5-9"},
                                   {1, "1-4"}};
constexpr int64_t kDaysPerFourYears = 1461;
}  // namespace

std::string_view age_band_from_years(int64_t years) {
  for (const YearBand& b : kYearBands) {
    if (years >= b.min_years) return b.band;
  }
  return {};
}

std::string_view age_band_from_days(int64_t days) {
  if (days < 0) return {};
  if (days <= 14) return "0-14d";
  if (days <= 28) return "15-28d";
  const int64_t years = days * 4 / kDaysPerFourYears;
  if (years < 1) return "1-11m";
  return age_band_from_years(years);
}

int64_t representative_age_days(std::string_view band) {
  if (band == "0-14d") return 7;
  if (band == "15-28d") return 21;
  if (band == "1-11m") return 180;
  for (const YearBand& b : kYearBands) {
    // A quarter of a year past the band's first birthday.
    if (b.band == band) return b.min_years * kDaysPerFourYears / 4 + 91;
  }
  return -1;
}

}  // namespace vigil
